import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { accountStream } from '@credits/domain/streams';
import {
  encodeAccountState,
  stateVersionOf,
  type AccountDecider,
  type AccountState,
} from '@credits/domain';
import {
  EVENT_STORE,
  MAX_SNAPSHOTS_PER_WRITE,
  type EventStore,
  type Snapshot,
} from '@credits/event-store';
import { warnedSnapshotTrouble, type SnapshotTrouble } from '@credits/ledger';
import { asError } from '@credits/runtime';
import { ProjectorMetrics } from '../observability/projector-metrics';
import { ACCOUNT_DECIDER } from '../projector/account-decider.provider';

/** What a snapshot is taken of: an account as the cache holds it. */
export interface SnapshotSubject {
  readonly state: AccountState;
  readonly revision: bigint | null;
  readonly latestEventAtMs: number;
}

/** Events an account's stream holds after its last snapshot (all of them where none). */
export function eventsSince(account: SnapshotSubject, snapshotRevision: bigint | null): number {
  return account.revision === null ? 0 : Number(account.revision - (snapshotRevision ?? -1n));
}

/** Snapshots waiting to be written; past it, new ones are dropped (counted: they are shortcuts). */
const MAX_PENDING = 20_000;

/**
 * Account snapshots for the projector's cache: written in the background, batched, one write at
 * a time, and what goes wrong reading them said and counted. They are only shortcuts: one that
 * does not decode is skipped with a warning and a metric, and a write that fails costs only a
 * longer load.
 */
@Injectable()
export class AccountSnapshots implements BeforeApplicationShutdown {
  readonly stateVersion: string;
  readonly everyEvents: number;
  readonly onLeavingMinEvents: number;
  private readonly pending = new Map<string, Snapshot>();
  private writing: Promise<void> | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCOUNT_DECIDER) decider: AccountDecider,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: ProjectorMetrics,
    @InjectPinoLogger(AccountSnapshots.name) private readonly logger: PinoLogger,
  ) {
    this.stateVersion = stateVersionOf(decider.rules);
    this.everyEvents = config.projector.snapshotEveryEvents;
    this.onLeavingMinEvents = config.projector.snapshotOnLeavingMinEvents;
  }

  /** Snapshots that cannot be used are skipped, said in the log and counted. */
  readonly trouble: SnapshotTrouble = warnedSnapshotTrouble(
    (fields, message) => this.logger.warn(fields, message),
    () => this.metrics.snapshotsSkipped.inc({ reason: 'unreadable' }),
  );

  /** Whether an account has had enough events since its last snapshot to take another. */
  isDue(account: SnapshotSubject, snapshotRevision: bigint | null): boolean {
    return eventsSince(account, snapshotRevision) >= this.everyEvents;
  }

  /**
   * Whether an account leaving the cache (evicted, or at shutdown) has had enough events since
   * its last snapshot to be worth one: a few events fold faster than a snapshot is written and
   * read, so a snapshot of them costs the store more than any load it spares.
   */
  isWorthOnLeaving(account: SnapshotSubject, snapshotRevision: bigint | null): boolean {
    return eventsSince(account, snapshotRevision) >= this.onLeavingMinEvents;
  }

  /** Queues a snapshot of the account; written soon, in the background. */
  offer(accountId: string, account: SnapshotSubject): void {
    if (account.revision === null) return;
    const stream = accountStream(accountId);
    if (this.pending.size >= MAX_PENDING && !this.pending.has(stream)) {
      this.metrics.snapshotsSkipped.inc({ reason: 'queue_full' });
      return;
    }
    this.pending.set(stream, {
      stream,
      revision: account.revision,
      stateVersion: this.stateVersion,
      lastEventAt: new Date(Number.isFinite(account.latestEventAtMs) ? account.latestEventAtMs : 0),
      state: encodeAccountState(account.state),
    });
    this.startWriting();
  }

  private startWriting(): void {
    // An offer made after the writer's last batch but before it finished starts it again.
    this.writing ??= this.writePending().finally(() => {
      this.writing = null;
      if (this.pending.size > 0) this.startWriting();
    });
  }

  /** Resolves once everything queued so far is written (or failed). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async writePending(): Promise<void> {
    // Let the chunk that offered these finish first: a write is never on a chunk's path.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.size > 0) {
      const batch = [...this.pending.values()].slice(0, MAX_SNAPSHOTS_PER_WRITE);
      for (const snapshot of batch) this.pending.delete(snapshot.stream);
      try {
        await this.store.snapshots.write(batch);
        this.metrics.snapshotsWritten.inc(batch.length);
      } catch (error) {
        this.metrics.snapshotsSkipped.inc({ reason: 'write_failed' }, batch.length);
        this.logger.warn(
          { snapshots: batch.length, error: asError(error).message },
          'could not write snapshots: those accounts load from older ones',
        );
      }
    }
  }
}
