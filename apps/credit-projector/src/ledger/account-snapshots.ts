import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import {
  accountStream,
  decodeAccountState,
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
import { asError } from '@credits/runtime';
import { ProjectorMetrics } from '../observability/projector-metrics';
import { ACCOUNT_DECIDER } from '../projector/account-decider.provider';

/** A state read from a snapshot: the fold of the stream up to `revision`. */
export interface SnapshotState {
  readonly state: AccountState;
  readonly revision: bigint;
  readonly latestEventAtMs: number;
}

/** What a snapshot is taken of: an account as the cache holds it. */
export interface SnapshotSubject {
  readonly state: AccountState;
  readonly revision: bigint | null;
  readonly latestEventAtMs: number;
}

/** Snapshots waiting to be written; past it, new ones are dropped (counted: they are shortcuts). */
const MAX_PENDING = 20_000;

/**
 * Account snapshots for the projector's cache: read when an account is loaded, written in the
 * background, batched, one write at a time. They are only shortcuts: one that does not decode
 * is skipped with a warning and a metric, and a write that fails costs only a longer load.
 */
@Injectable()
export class AccountSnapshots implements BeforeApplicationShutdown {
  readonly stateVersion: string;
  readonly everyEvents: number;
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
  }

  /** The newest usable snapshot of each account; none where none is, or it cannot be read. */
  async read(accountIds: readonly string[]): Promise<Map<string, SnapshotState>> {
    const found = new Map<string, SnapshotState>();
    if (accountIds.length === 0) return found;
    let snapshots: Map<string, Snapshot>;
    try {
      snapshots = await this.store.snapshots.readLatest(
        accountIds.map(accountStream),
        this.stateVersion,
      );
    } catch (error) {
      this.logger.warn(
        { error: asError(error).message },
        'could not read snapshots: folding from the start',
      );
      return found;
    }
    for (const accountId of accountIds) {
      const snapshot = snapshots.get(accountStream(accountId));
      if (!snapshot) continue;
      try {
        found.set(accountId, {
          state: decodeAccountState(Buffer.from(snapshot.bytes).toString('utf8')),
          revision: snapshot.revision,
          latestEventAtMs: snapshot.lastEventAt.getTime(),
        });
      } catch (error) {
        this.metrics.snapshotsSkipped.inc({ reason: 'unreadable' });
        this.logger.warn(
          {
            stream: snapshot.stream,
            revision: String(snapshot.revision),
            error: asError(error).message,
          },
          'a snapshot does not decode: folding the stream from the start',
        );
      }
    }
    return found;
  }

  /** Whether an account has had enough events since its last snapshot to take another. */
  isDue(account: SnapshotSubject, snapshotRevision: bigint | null): boolean {
    return (
      account.revision !== null &&
      account.revision - (snapshotRevision ?? -1n) >= BigInt(this.everyEvents)
    );
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
      bytes: Buffer.from(encodeAccountState(account.state), 'utf8'),
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
