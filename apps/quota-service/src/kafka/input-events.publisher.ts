import {
  HttpException,
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Partitioners, type Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { inputTopicOf, TRACEPARENT, type InputEvent, type InputEventType } from '@credits/contract';
import {
  coalescedWholeSender,
  KAFKA,
  RenewableProducer,
  SendQueueFullError,
  topicNames,
  type CoalescingSender,
  type TopicNames,
} from '@credits/kafka';
import { asError } from '@credits/runtime';
import { inSpan, SpanKind, traceparentOf } from '@credits/telemetry';
import { OVERLOADED } from '../http/admission';
import { QuotaMetrics } from '../metrics/quota-metrics';

export const QUOTA_SERVICE_SOURCE = 'image-credits/quota-service';

/**
 * Publishes waiting at once. The admission gate's limits (requests in flight, generations
 * waiting) keep the queue far below this; were it reached, a publish is refused as overload.
 */
const MAX_QUEUED_PUBLISHES = 10_000;
/** Events in one produce request: a few hundred KB at most, under the broker's 1 MB. */
const MAX_PUBLISHES_PER_REQUEST = 500;

/**
 * Puts wire events on their input topic (usage on editor-events, billing on billing-events), keyed
 * by account, acknowledged by all replicas, coalesced into one produce request at a time (see
 * CoalescingSender), each stamped with who asked for it (`publishedby`).
 */
@Injectable()
export class InputEventsPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly producer: RenewableProducer;
  private readonly sender: CoalescingSender;
  private readonly topics: TopicNames;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectPinoLogger(InputEventsPublisher.name) logger: PinoLogger,
    metrics: QuotaMetrics,
  ) {
    this.topics = topicNames(config.kafka.topicPrefix);
    // Renewed when the broker loses step with it (after a restart, say): without that every
    // later publish to the partition would fail. A publish is written at least once either way,
    // and the projector keeps its effect once.
    this.producer = new RenewableProducer(
      () =>
        kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner }),
      {
        renewed: (cause) =>
          logger.warn(
            { error: asError(cause).message },
            'the broker lost step with the producer: publishing with a new producer id',
          ),
      },
    );
    // A coalesced request spans partitions: each is acknowledged, or sent again.
    this.sender = coalescedWholeSender(
      kafka,
      this.producer,
      { maxQueuedMessages: MAX_QUEUED_PUBLISHES, maxBatchMessages: MAX_PUBLISHES_PER_REQUEST },
      (partitions) => {
        metrics.publishResends.inc(partitions.length);
        logger.warn(
          { partitions },
          'Kafka answered a publish without these partitions: sending their events again',
        );
      },
    );
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }

  /** A validated event, as its publisher: whatever `publishedby` it came with is replaced. */
  async publish(event: InputEvent, publishedBy: string, traceparent: string): Promise<void> {
    const topic = this.topics[inputTopicOf(event.type)];
    try {
      await inSpan(
        `publish ${event.type}`,
        {
          parent: traceparent,
          kind: SpanKind.PRODUCER,
          attributes: { 'messaging.destination.name': topic },
        },
        (span) =>
          this.sender.send(topic, {
            key: event.subject,
            value: JSON.stringify({ ...event, publishedby: publishedBy }),
            headers: {
              'content-type': 'application/cloudevents+json',
              // This publish's own span when traced, so the projector's work links to it.
              [TRACEPARENT]: traceparentOf(span, traceparent),
            },
          }),
      );
    } catch (error) {
      if (error instanceof SendQueueFullError)
        throw new HttpException(OVERLOADED.body(error.message), OVERLOADED.status);
      throw error;
    }
  }

  /** A new wire event from this service, stamped now. */
  async publishNew<T extends InputEventType>(
    accountId: string,
    type: T,
    data: Record<string, unknown>,
    publishedBy: string,
    traceparent: string,
  ): Promise<string> {
    const event = {
      specversion: '1.0',
      id: randomUUID(),
      source: QUOTA_SERVICE_SOURCE,
      type,
      time: new Date().toISOString(),
      subject: accountId,
      data,
    } as unknown as InputEvent;
    await this.publish(event, publishedBy, traceparent);
    return event.id;
  }
}
