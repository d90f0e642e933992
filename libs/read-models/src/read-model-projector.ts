import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import {
  backoffDelay,
  comparePositions,
  PostgresCheckpoints,
  type EventStore,
  type Position,
  type RecordedEvent,
  type Subscription,
} from '@credits/event-store';
import { ACCOUNT_CATEGORY, AccountFolds, type AccountChange } from './account-folds';
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

/** One version of one read model, with what an earlier projector of it had done, if any. */
export interface ReadModelVersion {
  readonly model: ReadModel;
  readonly version: number;
  /** Carried from the projector this one replaces, so the lag it reports stays known. */
  readonly eventsHandled?: number;
  readonly lastEventRecordedAt?: Date | null;
}

export interface ReadModelProjectorOptions {
  readonly cachedAccounts: number;
  readonly pageSize?: number;
  readonly onError?: (error: Error) => void;
  readonly onPage?: (events: number) => void;
}

/** Where one member stands: its stored checkpoint, as this projector last saved or loaded it. */
interface Member extends ReadModelVersion {
  readonly checkpoint: string;
  position: Position | null;
  checkpointVersion: bigint | null;
  eventsHandled: number;
  lastEventRecordedAt: Date | null;
}

/**
 * Keeps one or more read models current from one catch-up subscription: each page of the ledger
 * is read, decoded and folded once, then each model takes the changes past its own checkpoint,
 * and all of them write their rows and save their checkpoints compare-and-set in one
 * transaction, so a page counts once for each. The subscription starts from the earliest
 * checkpoint; a model further on skips what it already has. Any failure restarts from the
 * stored checkpoints; a checkpoint another instance moved on makes this one start again from
 * there.
 */
export class ReadModelProjector {
  private subscription: Subscription | null = null;
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private caughtUp = false;
  private readonly folds: AccountFolds;
  private readonly members: Member[];

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    versions: readonly ReadModelVersion[],
    private readonly options: ReadModelProjectorOptions,
  ) {
    this.folds = new AccountFolds(store, options.cachedAccounts);
    this.members = versions.map(({ model, version, eventsHandled, lastEventRecordedAt }) => ({
      model,
      version,
      checkpoint: checkpointName(model, version),
      position: null,
      checkpointVersion: null,
      eventsHandled: eventsHandled ?? 0,
      lastEventRecordedAt: lastEventRecordedAt ?? null,
    }));
  }

  /** The versions it keeps, with what it has done: what a projector replacing it starts from. */
  get versions(): ReadModelVersion[] {
    return this.members.map(({ model, version, eventsHandled, lastEventRecordedAt }) => ({
      model,
      version,
      eventsHandled,
      lastEventRecordedAt,
    }));
  }

  get statuses(): ReadModelStatus[] {
    return this.members.map((member) => ({
      name: member.model.name,
      version: member.version,
      caughtUp: this.caughtUp,
      eventsHandled: member.eventsHandled,
      lastEventRecordedAt: member.lastEventRecordedAt,
    }));
  }

  /** Whether the subscription has reached the end of the log since it last (re)started. */
  get isCaughtUp(): boolean {
    return this.caughtUp;
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

  /** Resolves once the read models have handled everything in the log (at least once). */
  async caughtUpOnce(pollMs = 20): Promise<void> {
    while (!this.caughtUp && !this.stopped) await sleep(pollMs);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const from = await this.loadCheckpoints();
        this.folds.clear();
        this.caughtUp = false;
        this.subscription = this.store.subscribeToAll({
          from,
          category: ACCOUNT_CATEGORY,
          pageSize: this.options.pageSize ?? 1_000,
          // Authorizations read the balances model: keep its lag small.
          pollIntervalMs: 25,
          onCaughtUp: () => (this.caughtUp = true),
          handle: async (events, position) => {
            await this.applyPage(events, position);
            failures = 0;
          },
        });
        // stop() may have come while the checkpoints were loading, before this subscription existed.
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

  /** Loads every member's checkpoint; returns where the subscription starts: the earliest. */
  private async loadCheckpoints(): Promise<'start' | Position> {
    const checkpoints = new PostgresCheckpoints(this.pool);
    let from: 'start' | Position | null = null;
    for (const member of this.members) {
      const stored = await checkpoints.load(member.checkpoint);
      member.position = stored?.position ?? null;
      member.checkpointVersion = stored?.version ?? null;
      const position = member.position ?? 'start';
      if (
        from === null ||
        position === 'start' ||
        (from !== 'start' && comparePositions(position, from) < 0)
      )
        from = position;
    }
    return from ?? 'start';
  }

  private async applyPage(events: RecordedEvent[], position: Position): Promise<void> {
    const changes = await this.folds.changes(events);
    const client = await this.pool.connect();
    const saved: { member: Member; version: bigint; changes: AccountChange[] }[] = [];
    try {
      await client.query('BEGIN');
      const checkpoints = new PostgresCheckpoints(client);
      for (const member of this.members) {
        // A model already past this page (its checkpoint is further on) keeps its checkpoint.
        const after = member.position;
        if (after !== null && comparePositions(position, after) <= 0) continue;
        const own =
          after === null
            ? changes
            : changes.filter((change) => comparePositions(change.recorded.position, after) > 0);
        await member.model.apply(client, member.version, own);
        const version = await checkpoints.save(
          member.checkpoint,
          position,
          member.checkpointVersion,
        );
        saved.push({ member, version, changes: own });
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    for (const { member, version, changes: own } of saved) {
      member.position = position;
      member.checkpointVersion = version;
      member.eventsHandled += own.length;
      member.lastEventRecordedAt = own.at(-1)?.recorded.recordedAt ?? member.lastEventRecordedAt;
    }
    this.options.onPage?.(events.length);
  }
}
