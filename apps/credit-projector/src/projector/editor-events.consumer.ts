import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { commandOf, type ParseResult } from '@credits/contract';
import { KAFKA, topicNames, type TopicNames } from '@credits/kafka';
import { ProjectorMetrics } from '../metrics/projector-metrics';
import { ChunkProcessor, type ChunkControl, type ChunkResult } from './chunk-processor';
import type { AccountCommandItem, UndecidableItem } from './decide-chunk';
import { ParsingThread } from './parsing/parsing-thread';
import { ProjectorProducer, type DeadLetter } from './projector-producer';

/**
 * Messages decided and appended together: one append call, one offset commit. At 1,000 a chunk's
 * objects lived through its round trips long enough to reach V8's old generation, and the
 * collector's work grew; at 100 the round trips dominated. 250 and 500 measured alike.
 */
const CHUNK_MESSAGES = 500;

interface SortedChunk {
  readonly items: AccountCommandItem[];
  /** The wire event type of each item, for the metrics. */
  readonly types: string[];
  /** The message of each item, to dead-letter it if it turns out undecidable. */
  readonly messages: KafkaMessage[];
  readonly deadLetters: DeadLetter[];
}

/** Enough of an error to find its cause from the dead letter, and no more. */
const MAX_ERROR_DETAIL_CHARS = 2_000;

/**
 * The credit projector's consumer: kafkajs `eachBatch` on editor-events, partitions in parallel,
 * each partition in order. A chunk's offsets are committed only after its appends are durable and
 * its dead letters and decisions are written, so a crash anywhere repeats work but loses none.
 */
@Injectable()
export class EditorEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: Consumer;
  private readonly topics: TopicNames;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly processor: ChunkProcessor,
    private readonly parsing: ParsingThread,
    private readonly producer: ProjectorProducer,
    private readonly metrics: ProjectorMetrics,
    @InjectPinoLogger(EditorEventsConsumer.name) private readonly logger: PinoLogger,
  ) {
    this.topics = topicNames(config.kafka.topicPrefix);
    const sessionTimeout = config.projector.sessionTimeoutMs;
    this.consumer = kafka.consumer({
      groupId: `${config.kafka.topicPrefix}credit-projector`,
      sessionTimeout,
      heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 10)),
      rebalanceTimeout: Math.max(sessionTimeout, 10_000),
      // Leaving waits for the fetch in flight: a short long-poll keeps stops and rebalances quick.
      maxWaitTimeInMs: 1_000,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topics.editorEvents, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.projector.partitionsConcurrency,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
    await this.parsing.stop();
  }

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const control: ChunkControl = { heartbeat, isActive: () => isRunning() && !isStale() };
    for (let start = 0; start < batch.messages.length; start += CHUNK_MESSAGES) {
      if (!control.isActive()) return;
      const messages = batch.messages.slice(start, start + CHUNK_MESSAGES);
      const chunk = this.sort(batch.partition, messages, await this.parsing.parse(messages));
      await this.producer.deadLetter(chunk.deadLetters);
      const result = await this.processor.process(chunk.items, control);
      if (result === null) return;
      await this.producer.deadLetter(this.undecidable(batch.partition, chunk, result.undecidable));
      await this.producer.publishDecisions(result.decisions);

      const last = messages.at(-1) as KafkaMessage;
      resolveOffset(last.offset);
      await this.consumer.commitOffsets([
        {
          topic: batch.topic,
          partition: batch.partition,
          offset: (BigInt(last.offset) + 1n).toString(),
        },
      ]);
      await heartbeat();
      this.record(chunk, result, messages.length);
      this.metrics.consumerLag.set(
        { partition: String(batch.partition) },
        Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n),
      );
    }
  }

  private sort(partition: number, messages: KafkaMessage[], results: ParseResult[]): SortedChunk {
    const items: AccountCommandItem[] = [];
    const types: string[] = [];
    const itemMessages: KafkaMessage[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const [index, message] of messages.entries()) {
      const parsed = results[index] as ParseResult;
      if ('rejection' in parsed) {
        this.logger.warn(
          {
            kafka: { topic: this.topics.editorEvents, partition, offset: message.offset },
            ...parsed.rejection,
          },
          'dead-lettered an editor event',
        );
        deadLetters.push({
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
          partition,
          offset: message.offset,
          rejection: parsed.rejection,
        });
        continue;
      }
      const kafka = { topic: this.topics.editorEvents, partition, offset: message.offset };
      items.push({ accountId: parsed.event.subject, command: commandOf(parsed.event, kafka) });
      types.push(parsed.event.type);
      itemMessages.push(message);
    }
    return { items, types, messages: itemMessages, deadLetters };
  }

  /**
   * Valid messages that could not be decided, encoded or stored: each is dead-lettered with the
   * error, so one message never stops its partition (and a fix can replay it).
   */
  private undecidable(
    partition: number,
    chunk: SortedChunk,
    undecidable: readonly UndecidableItem[],
  ): DeadLetter[] {
    return undecidable.map(({ index, error }) => {
      const message = chunk.messages[index] as KafkaMessage;
      const item = chunk.items[index] as AccountCommandItem;
      const kafka = { topic: this.topics.editorEvents, partition, offset: message.offset };
      this.logger.error(
        { kafka, accountId: item.accountId, error: error.message, stack: error.stack },
        'dead-lettered an editor event that could not be decided',
      );
      const stack = (error.stack ?? '')
        .split('\n')
        .slice(1, 6)
        .map((line) => line.trim());
      // The class says more than `name`, which subclasses of Error rarely set.
      const kind = error.constructor?.name || error.name;
      const details = [`${kind}: ${error.message}`, ...stack].map((line) =>
        line.slice(0, MAX_ERROR_DETAIL_CHARS),
      );
      return {
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
        partition,
        offset: message.offset,
        rejection: { reason: 'undecidable' as const, details },
      };
    });
  }

  private record(chunk: SortedChunk, result: ChunkResult, size: number): void {
    const { eventsPerItem } = result;
    const undecidable = new Set(result.undecidable.map(({ index }) => index));
    this.metrics.batchSize.observe(size);
    // Counted per chunk, then added once per type and outcome: a labelled increment hashes its
    // labels, and a chunk has hundreds of events of a few types.
    const counts = new Map<string, { type: string; outcome: string; count: number }>();
    const debug = this.logger.logger.isLevelEnabled('debug');
    chunk.items.forEach((item, index) => {
      const type = chunk.types[index] as string;
      const outcome = undecidable.has(index)
        ? 'dead_lettered'
        : (eventsPerItem[index] ?? 0) > 0
          ? 'applied'
          : 'duplicate';
      const key = `${type} ${outcome}`;
      const counted = counts.get(key);
      if (counted) counted.count += 1;
      else counts.set(key, { type, outcome, count: 1 });
      if (debug)
        this.logger.debug(
          {
            accountId: item.accountId,
            generationId: 'generationId' in item.command ? item.command.generationId : undefined,
            kafka: 'source' in item.command ? item.command.source.kafka : undefined,
            outcome,
          },
          'editor event decided',
        );
    });
    for (const { type, outcome, count } of counts.values())
      this.metrics.wireEvents.inc({ type, outcome }, count);
    this.metrics.wireEvents.inc(
      { type: 'unparsed', outcome: 'dead_lettered' },
      chunk.deadLetters.length,
    );
  }
}
