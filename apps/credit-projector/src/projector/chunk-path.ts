import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { KafkaMessage } from 'kafkajs';
import { TRACEPARENT, validTraceparent, type InputTopic } from '@credits/contract';
import { inSpan } from '@credits/telemetry';
import { CrashPoints } from '../faults/crash-points';
import { ProjectorMetrics } from '../observability/projector-metrics';
import type { GenerationDecision } from '@credits/domain';
import { LedgerWriter } from './ledger-writer';
import { ParsingThread } from './parsing/parsing-thread';
import type { PartitionTurns } from './partition-turns';
import { ProjectorProducer } from './projector-producer';
import { deadLettersOf, isCommand, outcomeLabel, wireItemsOf, type WireItem } from './wire-item';
import type { ChunkControl } from './write-retries';

/** Messages of one input partition, decided and appended together, then committed. */
export interface InputChunk {
  /** The topic's name in this deployment. */
  readonly topic: string;
  readonly inputTopic: InputTopic;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
  /** Commits the offset after the chunk's last message. */
  commit(): Promise<void>;
}

/**
 * A chunk's path through the projector, one stage a line: parse → commands (the parsing
 * thread), recall → decide → append → decisions (the ledger writer, retried within bounds),
 * publish, commit; each stage's details are one call below. Each message becomes a WireItem at
 * its parse and carries its command, or its refusal, and then its outcome, to the end. The
 * offsets are committed only after the appends are durable and the dead letters and decisions
 * are written, so a crash anywhere repeats work but loses none; the chunks of partition p of
 * both input topics take turns, so each account has one writer deciding one chunk at a time.
 */
@Injectable()
export class ChunkPath {
  constructor(
    private readonly parsing: ParsingThread,
    private readonly writer: LedgerWriter,
    private readonly producer: ProjectorProducer,
    private readonly metrics: ProjectorMetrics,
    private readonly crashes: CrashPoints,
    @InjectPinoLogger(ChunkPath.name) private readonly logger: PinoLogger,
  ) {}

  /** True once the chunk is committed; false when the partition stopped being ours first. */
  async run(chunk: InputChunk, turns: PartitionTurns, control: ChunkControl): Promise<boolean> {
    const items = await this.parse(chunk);
    const written = await turns.run(chunk.partition, async () => {
      const decided = await this.writer.write(items.filter(isCommand), control);
      if (decided === null) return false;
      for (const { item, outcome } of decided) item.outcome = outcome;
      await this.publish(chunk, items);
      this.crashes.reach('after-publish');
      return true;
    });
    if (!written) return false;
    await chunk.commit();
    this.crashes.reach('after-offset-commit');
    this.count(items);
    return true;
  }

  /** Parse → commands, on the parsing thread: one item per message, in order. */
  private parse(chunk: InputChunk): Promise<WireItem[]> {
    return inSpan('parse', {}, async () => {
      const raw = chunk.messages.map((message) => ({
        key: message.key,
        value: message.value,
        offset: message.offset,
        traceparent: validTraceparent(message.headers?.[TRACEPARENT]),
      }));
      const origin = {
        inputTopic: chunk.inputTopic,
        topic: chunk.topic,
        partition: chunk.partition,
      };
      return wireItemsOf(chunk.messages, await this.parsing.parse(raw, origin));
    });
  }

  /** The chunk's dead letters and decisions, in the produce request other chunks share. */
  private publish(chunk: InputChunk, items: readonly WireItem[]): Promise<void> {
    return inSpan('publish', {}, async () => {
      const decisions: { accountId: string; decision: GenerationDecision }[] = [];
      for (const item of items) {
        if (!isCommand(item)) continue;
        const decision = item.outcome?.decision;
        if (decision && decision !== 'stored')
          decisions.push({ accountId: item.accountId, decision });
      }
      await Promise.all([
        this.producer.deadLetter(deadLettersOf(chunk, items, this.logger)),
        this.producer.publishDecisions(decisions),
      ]);
    });
  }

  private count(items: readonly WireItem[]): void {
    this.metrics.batchSize.observe(items.length);
    // Counted per chunk, then added once per type and outcome: a labelled increment hashes its
    // labels, and a chunk has hundreds of events of a few types.
    const counts = new Map<string, { type: string; outcome: string; count: number }>();
    const debug = this.logger.logger.isLevelEnabled('debug');
    for (const item of items) {
      const type = isCommand(item) ? item.type : 'unparsed';
      const outcome = outcomeLabel(item);
      const key = `${type} ${outcome}`;
      const counted = counts.get(key);
      if (counted) counted.count += 1;
      else counts.set(key, { type, outcome, count: 1 });
      if (debug && isCommand(item))
        this.logger.debug(
          {
            accountId: item.accountId,
            generationId: 'generationId' in item.command ? item.command.generationId : undefined,
            kafka: 'source' in item.command ? item.command.source.kafka : undefined,
            outcome,
          },
          'wire event decided',
        );
    }
    for (const { type, outcome, count } of counts.values())
      this.metrics.wireEvents.inc({ type, outcome }, count);
  }
}
