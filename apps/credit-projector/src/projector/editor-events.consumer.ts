import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { TRACEPARENT, validTraceparent, type InputTopic } from '@credits/contract';
import { inSpan, SpanKind } from '@credits/telemetry';
import {
  CoPartitionedAssigner,
  inputTopicNames,
  isRetriedAnswer,
  KAFKA,
  projectorGroupId,
  topicNames,
  type TopicNames,
} from '@credits/kafka';
import { PartitionAssigners } from 'kafkajs';
import { ConsumerHealth, FAILED_STARTS_UNHEALTHY } from '../observability/consumer-health';
import { ProjectorMetrics } from '../observability/projector-metrics';
import { ChunkPath } from './chunk-path';
import { ConsumerSupervisor } from './consumer-supervisor';
import { ParsingThread } from './parsing/parsing-thread';
import { PartitionTurns } from './partition-turns';
import type { ChunkControl } from './write-retries';

/**
 * Messages decided and appended together: one append call, one offset commit. At 1,000 a chunk's
 * objects lived through its round trips long enough to reach V8's old generation, and the
 * collector's work grew; at 100 the round trips dominated. 250 and 500 measured alike.
 */
const CHUNK_MESSAGES = 500;

/** How long a crashed consumer waits before it is started again: doubling, capped. */
const RESTART_BACKOFF = { initialMs: 1_000, maxMs: 30_000 };

/**
 * A crash on an answer a broker gives for a moment (a fresh one's "the coordinator is loading",
 * as a consumer joins) is ridden out: info, then warn while it repeats, and error from the fifth
 * in a row (as many as the failed starts that make /health unhealthy). Any other crash is an error.
 */
function crashLogLevel(error: Error, inARow: number): 'info' | 'warn' | 'error' {
  if (!isRetriedAnswer(error) || inARow >= FAILED_STARTS_UNHEALTHY) return 'error';
  return inARow === 1 ? 'info' : 'warn';
}

/**
 * The credit projector's consumer: kafkajs `eachBatch` on editor-events and billing-events,
 * partitions in parallel, each partition in order, each batch in chunks that follow ChunkPath.
 * Partition p of both topics holds the same accounts; the group gives both to one member
 * (CoPartitionedAssigner), and their chunks take turns (PartitionTurns). A consumer that crashes
 * is started again (ConsumerSupervisor); its state is in ConsumerHealth.
 */
@Injectable()
export class EditorEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly topics: TopicNames;
  private readonly supervisor: ConsumerSupervisor;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly path: ChunkPath,
    private readonly parsing: ParsingThread,
    private readonly metrics: ProjectorMetrics,
    private readonly health: ConsumerHealth,
    @InjectPinoLogger(EditorEventsConsumer.name) private readonly logger: PinoLogger,
  ) {
    this.topics = topicNames(config.kafka.topicPrefix);
    this.supervisor = new ConsumerSupervisor(
      () => this.createConsumer(),
      (consumer) => this.launch(consumer),
      {
        crashed: (error, retryInMs, inARow) =>
          this.logger[crashLogLevel(error, inARow)](
            { error: error.message, retryInMs, inARow },
            'the consumer crashed and kafkajs will not restart it: starting a new one',
          ),
        startFailed: (error, retryInMs) => {
          this.health.startFailed(error.message);
          this.logger.error(
            { error: error.message, retryInMs },
            'could not start the consumer again: retrying',
          );
        },
        restarted: () => this.logger.info('the consumer runs again'),
      },
      RESTART_BACKOFF,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.supervisor.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.supervisor.stop();
    await this.parsing.stop();
  }

  /** A consumer whose life is reported to ConsumerHealth and the metrics. */
  private createConsumer(): Consumer {
    const sessionTimeout = this.config.projector.sessionTimeoutMs;
    const consumer = this.kafka.consumer({
      groupId: projectorGroupId(this.config.kafka.topicPrefix),
      sessionTimeout,
      heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 10)),
      rebalanceTimeout: Math.max(sessionTimeout, 10_000),
      // Leaving waits for the fetch in flight: a short long-poll keeps stops and rebalances quick.
      maxWaitTimeInMs: 1_000,
      // kafkajs restarts a crashed consumer itself only after some errors, and never after the
      // rest: every crash goes to the supervisor instead, one path with one backoff.
      retry: { restartOnFailure: async () => false },
      // Round robin only while members of an earlier version are in the group (see the assigner).
      partitionAssigners: [CoPartitionedAssigner, PartitionAssigners.roundRobin],
    });
    const { events } = consumer;
    consumer.on(events.GROUP_JOIN, ({ payload }) =>
      this.health.joined(
        inputTopicNames(this.topics).flatMap((topic) =>
          (payload.memberAssignment[topic] ?? []).map((partition) => ({ topic, partition })),
        ),
      ),
    );
    consumer.on(events.REBALANCING, () => this.health.left());
    consumer.on(events.STOP, () => this.health.left());
    consumer.on(events.FETCH_START, () => this.health.loopActive());
    consumer.on(events.HEARTBEAT, () => this.health.loopActive());
    consumer.on(events.CRASH, ({ payload }) => {
      this.health.left(`crashed: ${payload.error.message}`);
      this.metrics.consumerCrashes.inc({ restarted_by: payload.restart ? 'kafkajs' : 'projector' });
    });
    return consumer;
  }

  private async launch(consumer: Consumer): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topics: inputTopicNames(this.topics), fromBeginning: true });
    // Turns of this consumer's own: a chunk of a crashed consumer that never settles (a send that
    // hangs past every timeout) must not keep the consumer started after it from its partition.
    const turns = new PartitionTurns();
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.projector.partitionsConcurrency,
      eachBatch: (payload) => this.consumeBatch(consumer, turns, payload),
    });
  }

  private async consumeBatch(
    consumer: Consumer,
    turns: PartitionTurns,
    payload: EachBatchPayload,
  ): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const control: ChunkControl = { heartbeat, isActive: () => isRunning() && !isStale() };
    const { topic, partition } = batch;
    const inputTopic: InputTopic =
      topic === this.topics.billingEvents ? 'billingEvents' : 'editorEvents';
    for (let start = 0; start < batch.messages.length; start += CHUNK_MESSAGES) {
      if (!control.isActive()) return;
      this.health.loopActive();
      const messages = batch.messages.slice(start, start + CHUNK_MESSAGES);
      const commit = async () => {
        const last = messages.at(-1) as KafkaMessage;
        const next = BigInt(last.offset) + 1n;
        resolveOffset(last.offset);
        // The commit's metadata says when it was made: `credits status` shows it as last progress.
        await consumer.commitOffsets([
          { topic, partition, offset: next.toString(), metadata: new Date().toISOString() },
        ]);
        this.health.committed({ topic, partition }, next);
        this.supervisor.progressed();
        await heartbeat();
      };
      const committed = await inSpan(
        // Not kafkajs's own `process <topic>`, which the instrumentation records per batch.
        `chunk ${topic}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: { 'messaging.destination.partition.id': String(partition) },
          // The traces of the requests this chunk decides (messaging conventions for batches).
          links: () => messages.map((message) => validTraceparent(message.headers?.[TRACEPARENT])),
        },
        () => this.path.run({ topic, inputTopic, partition, messages, commit }, turns, control),
      );
      if (!committed) return;
    }
  }
}
