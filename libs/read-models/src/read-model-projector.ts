import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import {
  backoffDelay,
  PostgresCheckpoints,
  type EventStore,
  type Position,
  type RecordedEvent,
  type Subscription,
} from '@credits/event-store';
import { ACCOUNT_CATEGORY, AccountFolds } from './account-folds';
import type { ReadModel } from './projections/read-model';
import { checkpointName } from './registry';

export interface ReadModelStatus {
  readonly name: string;
  readonly version: number;
  readonly caughtUp: boolean;
  readonly eventsHandled: number;
  /** When the last handled event was recorded in the store. */
  readonly lastEventRecordedAt: Date | null;
}

export interface ReadModelProjectorOptions {
  readonly cachedAccounts: number;
  readonly pageSize?: number;
  readonly onError?: (error: Error) => void;
  readonly onPage?: (events: number) => void;
}

/**
 * Keeps one version of one read model current: a catch-up subscription from its checkpoint, and
 * for each page one transaction that writes the rows and saves the checkpoint compare-and-set,
 * so a page counts once. Any failure restarts from the stored checkpoint; a checkpoint another
 * instance moved on makes this one start again from there.
 */
export class ReadModelProjector {
  private subscription: Subscription | null = null;
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private caughtUp = false;
  private eventsHandled = 0;
  private lastEventRecordedAt: Date | null = null;
  private readonly folds: AccountFolds;

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly model: ReadModel,
    private readonly version: number,
    private readonly options: ReadModelProjectorOptions,
  ) {
    this.folds = new AccountFolds(store, options.cachedAccounts);
  }

  get status(): ReadModelStatus {
    return {
      name: this.model.name,
      version: this.version,
      caughtUp: this.caughtUp,
      eventsHandled: this.eventsHandled,
      lastEventRecordedAt: this.lastEventRecordedAt,
    };
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.subscription?.stop();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Resolves once the read model has handled everything in the log (at least once). */
  async caughtUpOnce(pollMs = 20): Promise<void> {
    while (!this.caughtUp && !this.stopped) await sleep(pollMs);
  }

  private async run(): Promise<void> {
    const name = checkpointName(this.model, this.version);
    let failures = 0;
    while (!this.stopped) {
      try {
        const stored = await new PostgresCheckpoints(this.pool).load(name);
        let checkpointVersion = stored?.version ?? null;
        this.folds.clear();
        this.caughtUp = false;
        this.subscription = this.store.subscribeToAll({
          from: stored?.position ?? 'start',
          category: ACCOUNT_CATEGORY,
          pageSize: this.options.pageSize ?? 1_000,
          // Authorizations read the balances model: keep its lag small.
          pollIntervalMs: 25,
          onCaughtUp: () => (this.caughtUp = true),
          handle: async (events, position) => {
            checkpointVersion = await this.applyPage(name, events, position, checkpointVersion);
            failures = 0;
          },
        });
        // stop() may have come while the checkpoint was loading, before this subscription existed.
        if (this.stopped) await this.subscription.stop();
        await this.subscription.done;
      } catch (error) {
        if (this.stopped) return;
        failures += 1;
        this.options.onError?.(error as Error);
        await sleep(backoffDelay(failures, 200, 10_000), undefined, {
          signal: this.stopping.signal,
        }).catch(() => undefined);
      }
    }
  }

  private async applyPage(
    name: string,
    events: RecordedEvent[],
    position: Position,
    checkpointVersion: bigint | null,
  ): Promise<bigint> {
    const changes = await this.folds.changes(events);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await this.model.apply(client, this.version, changes);
      const saved = await new PostgresCheckpoints(client).save(name, position, checkpointVersion);
      await client.query('COMMIT');
      this.eventsHandled += events.length;
      this.lastEventRecordedAt = events.at(-1)?.recordedAt ?? this.lastEventRecordedAt;
      this.options.onPage?.(events.length);
      return saved;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
