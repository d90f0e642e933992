import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Partitioners, type IHeaders, type Kafka, type Message } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import {
  DeadLetterHeaders,
  decisionEventOf,
  TRACEPARENT,
  type NotificationMessage,
  type Rejection,
} from '@credits/contract';
import type { GenerationDecision } from '@credits/domain';
import {
  coalescedWholeSender,
  KAFKA,
  RenewableProducer,
  topicNames,
  type CoalescingSender,
  type TopicNames,
} from '@credits/kafka';
import { asError, within } from '@credits/runtime';
import { ProjectorMetrics } from '../observability/projector-metrics';

/**
 * The longest a send of dead letters or decisions may take. kafkajs retries a send across a lost
 * leader for well under this; past it the chunk fails, its consumer is started again and the
 * chunk is redone from its committed offset (letters and decisions are at least once), rather
 * than one send that never settles holding its partition forever.
 */
const SEND_DEADLINE_MS = 90_000;

/**
 * Messages waiting for a request. The consumer's chunks hold at most
 * PROJECTOR_PARTITIONS_CONCURRENCY × 500 decisions and as many dead letters, and the notification
 * relay a page: this is a guard, and past it a chunk's send fails (its consumer is started again
 * and the chunk redone).
 */
const MAX_QUEUED_MESSAGES = 50_000;
/** Messages in one produce request: decisions and dead letters are well under 2 KB each. */
const MAX_MESSAGES_PER_REQUEST = 1_000;

export interface DeadLetter {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  /** Where it was read: editor-events or billing-events (under the deployment's prefix). */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly rejection: Rejection;
}

/**
 * What the projector writes to Kafka: dead letters, decisions and notifications, acknowledged by
 * all replicas. One produce request at a time carries what every partition's chunks have ready
 * (kafkajs's idempotent producer holds a lock on the broker for each request's round trip, so
 * requests sent at once would wait one behind another anyway); each partition it spans is
 * acknowledged or its messages sent again.
 */
@Injectable()
export class ProjectorProducer implements OnModuleInit, OnApplicationShutdown {
  private readonly producer: RenewableProducer;
  private readonly sender: CoalescingSender;
  private readonly topics: TopicNames;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: ProjectorMetrics,
    @InjectPinoLogger(ProjectorProducer.name) logger: PinoLogger,
  ) {
    this.topics = topicNames(config.kafka.topicPrefix);
    this.producer = new RenewableProducer(
      // Idempotent: a retried send after a lost acknowledgement is written once.
      () =>
        kafka.producer({
          idempotent: true,
          maxInFlightRequests: 5,
          // Murmur2 on the key, as the Java clients do: an account's decisions share one partition.
          createPartitioner: Partitioners.DefaultPartitioner,
        }),
      {
        renewed: (cause) => {
          metrics.producerRenewals.inc();
          logger.warn(
            { error: asError(cause).message },
            'the broker lost step with the producer: sending with a new producer id',
          );
        },
      },
    );
    this.sender = coalescedWholeSender(
      kafka,
      this.producer,
      { maxQueuedMessages: MAX_QUEUED_MESSAGES, maxBatchMessages: MAX_MESSAGES_PER_REQUEST },
      (partitions) => {
        metrics.producerResends.inc(partitions.length);
        logger.warn(
          { partitions },
          'Kafka answered a send without these partitions: sending their messages again',
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

  /** The original key, value and headers, unchanged, plus headers naming why and where from. */
  async deadLetter(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.send(
      this.topics.editorEventsDeadLetters,
      letters.map((letter) => ({
        key: letter.key,
        value: letter.value,
        headers: {
          ...letter.headers,
          [DeadLetterHeaders.reason]: letter.rejection.reason,
          [DeadLetterHeaders.details]: letter.rejection.details.join('\n'),
          [DeadLetterHeaders.topic]: letter.topic,
          [DeadLetterHeaders.partition]: String(letter.partition),
          [DeadLetterHeaders.offset]: letter.offset,
          [DeadLetterHeaders.deadLetteredAt]: new Date().toISOString(),
        },
      })),
    );
    for (const letter of letters) this.metrics.deadLetters.inc({ reason: letter.rejection.reason });
  }

  async publishDecisions(
    decisions: readonly {
      accountId: string;
      decision: GenerationDecision;
    }[],
  ): Promise<void> {
    if (decisions.length === 0) return;
    const events = decisions.map(({ accountId, decision }) => decisionEventOf(accountId, decision));
    await this.send(
      this.topics.creditDecisions,
      events.map((event, index) => {
        // The trace the request came with, so its sender finds the decision in the same trace.
        const traceparent = decisions[index]?.decision.source?.traceparent;
        return {
          key: event.subject,
          value: JSON.stringify(event),
          headers: {
            'content-type': 'application/cloudevents+json',
            'ce-id': event.id,
            ...(traceparent === undefined ? {} : { [TRACEPARENT]: traceparent }),
          },
        };
      }),
    );
    for (const event of events) this.metrics.decisions.inc({ decision: event.type });
  }

  async publishNotifications(messages: readonly NotificationMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.send(
      this.topics.creditNotifications,
      messages.map((message) => ({
        key: message.subject,
        value: JSON.stringify(message),
        headers: { 'content-type': 'application/cloudevents+json', 'ce-id': message.id },
      })),
    );
    for (const message of messages) this.metrics.notifications.inc({ type: message.type });
  }

  private send(topic: string, messages: readonly Message[]) {
    return within(SEND_DEADLINE_MS, this.sender.sendAll(topic, messages));
  }
}
