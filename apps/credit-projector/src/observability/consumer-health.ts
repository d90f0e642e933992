import { lagOf } from '@credits/kafka';

/** One partition of one of the input topics. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** What the projector knows of one partition it is responsible for. */
export interface PartitionHealth extends TopicPartition {
  /** The next offset to consume as committed in the group; null before the first commit. */
  readonly committed: bigint | null;
  /** The partition's end offset (high watermark) at the last look; null before the first look. */
  readonly end: bigint | null;
  /** Messages between the committed offset and the end; null until both are known. */
  readonly lag: number | null;
  readonly lastProgressAtMs: number;
  readonly sinceProgressMs: number;
  /** Lag, and no progress for longer than the stall threshold. */
  readonly stalled: boolean;
}

export interface Verdict {
  readonly ok: boolean;
  /** One line per reason it is not ok. */
  readonly problems: string[];
}

interface Known {
  committed: bigint | null;
  /** The partition's first offset still kept: where a group with no commit starts. */
  low: bigint;
  end: bigint | null;
  lastProgressAtMs: number;
}

/** After this many starts in a row fail, the process is not healthy: let its supervisor act. */
export const FAILED_STARTS_UNHEALTHY = 5;

/**
 * The credit projector's view of its own consumer: whether it is in the group, which partitions
 * it is responsible for, and whether each makes progress. Progress is a commit, a committed
 * offset that moved (another member's), or no lag at all. The partitions of the last assignment
 * stay this process's until a new one arrives, so a consumer that crashed shows its partitions'
 * lag growing rather than nothing. Time comes from `now`, so tests need no clock.
 */
export class ConsumerHealth {
  private inGroup = false;
  private assigned: TopicPartition[] = [];
  private readonly partitions = new Map<string, Known>();
  private lastLoopAtMs: number;
  private failedStarts = 0;
  /** Why the consumer last left its group or failed to start, until it joins again. */
  private outOfGroupBecause: string | null = null;
  /** Writes to the store failing since, and the latest failure; null once one goes through. */
  private storeFailing: { sinceMs: number; failure: string; message: string } | null = null;

  constructor(
    private readonly limits: { readonly stallAfterMs: number; readonly loopSilenceMs: number },
    private readonly now: () => number = Date.now,
  ) {
    this.lastLoopAtMs = now();
  }

  joined(partitions: readonly TopicPartition[]): void {
    const before = new Set(this.assigned.map(keyOf));
    this.inGroup = true;
    this.failedStarts = 0;
    this.outOfGroupBecause = null;
    this.assigned = [...partitions].sort(
      (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition,
    );
    this.loopActive();
    // A partition just taken on has had no chance to progress here yet.
    for (const partition of this.assigned)
      if (!before.has(keyOf(partition))) this.known(partition).lastProgressAtMs = this.now();
  }

  /** Left the group: a crash (`because` says what it threw), a rebalance starting, or a stop. */
  left(because?: string): void {
    this.inGroup = false;
    if (because !== undefined) this.outOfGroupBecause = because;
  }

  /** A start of a new consumer failed: often Kafka unreachable, which `because` then says. */
  startFailed(because: string): void {
    this.failedStarts += 1;
    this.outOfGroupBecause = `could not start: ${because}`;
  }

  /** The fetch loop fetched, heartbeat or began a chunk. */
  loopActive(): void {
    this.lastLoopAtMs = this.now();
  }

  committed(partition: TopicPartition, next: bigint): void {
    const known = this.known(partition);
    known.committed = next;
    known.lastProgressAtMs = this.now();
  }

  /** What the broker says of a partition: its committed offset in the group, and its span. */
  observed(partition: TopicPartition, committed: bigint | null, low: bigint, end: bigint): void {
    const known = this.known(partition);
    // The first look learns where the group stands; only a later change is progress.
    const moved = committed !== null && known.committed !== null && committed !== known.committed;
    known.committed = committed ?? known.committed;
    known.low = low;
    known.end = end;
    if (moved || this.lagOf(known) === 0) known.lastProgressAtMs = this.now();
  }

  /** The partitions this process is responsible for (its last assignment), in order. */
  responsibleFor(): PartitionHealth[] {
    return this.assigned.map(({ topic, partition }) => {
      const known = this.known({ topic, partition });
      const lag = this.lagOf(known);
      return {
        topic,
        partition,
        committed: known.committed,
        end: known.end,
        lag,
        lastProgressAtMs: known.lastProgressAtMs,
        sinceProgressMs: this.now() - known.lastProgressAtMs,
        stalled:
          lag !== null && lag > 0 && this.now() - known.lastProgressAtMs > this.limits.stallAfterMs,
      };
    });
  }

  /** A write to the store failed and is being waited out (not a conflict). */
  storeWaiting(failure: string, message: string): void {
    this.storeFailing = { sinceMs: this.storeFailing?.sinceMs ?? this.now(), failure, message };
  }

  /** A write to the store went through. */
  storeWrote(): void {
    this.storeFailing = null;
  }

  /** The process and its consumer loop are alive (or a restart of it is under way). */
  liveness(): Verdict {
    const problems: string[] = [];
    const silentMs = this.now() - this.lastLoopAtMs;
    if (this.inGroup && silentMs > this.limits.loopSilenceMs)
      problems.push(`the consumer loop has been silent for ${silentMs} ms`);
    if (this.failedStarts >= FAILED_STARTS_UNHEALTHY)
      problems.push(`the consumer failed to start ${this.failedStarts} times in a row`);
    return { ok: problems.length === 0, problems };
  }

  /** In the group, owning partitions, each making progress or without lag. */
  readiness(): Verdict {
    const problems = [...this.liveness().problems];
    if (!this.inGroup)
      problems.push(
        `the consumer is not in its group (starting, rebalancing or restarting)${this.outOfGroupBecause ? `; latest: ${this.outOfGroupBecause}` : ''}`,
      );
    else if (this.assigned.length === 0) problems.push('the consumer owns no partitions');
    // Kept across consumer restarts: only a write that goes through ends it.
    if (this.storeFailing) {
      const { sinceMs, failure, message } = this.storeFailing;
      problems.push(
        `writes to the event store have failed for ${this.now() - sinceMs} ms (${failure}${failure === 'store_full' ? ': free disk space on the store' : ''}), nothing is committed meanwhile; latest: ${message}`,
      );
    }
    for (const partition of this.responsibleFor())
      if (partition.stalled)
        problems.push(
          `${partition.topic} partition ${partition.partition} has lag ${partition.lag} and no progress for ${partition.sinceProgressMs} ms`,
        );
    return { ok: problems.length === 0, problems };
  }

  private known(partition: TopicPartition): Known {
    let known = this.partitions.get(keyOf(partition));
    if (!known) {
      known = { committed: null, low: 0n, end: null, lastProgressAtMs: this.now() };
      this.partitions.set(keyOf(partition), known);
    }
    return known;
  }

  private lagOf(known: Known): number | null {
    return known.end === null ? null : lagOf(known.committed, known.low, known.end);
  }
}

function keyOf({ topic, partition }: TopicPartition): string {
  return `${topic}\u0000${partition}`;
}
