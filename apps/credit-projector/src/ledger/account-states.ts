import { LRUCache } from 'lru-cache';
import {
  accountStream,
  millisOf,
  type AccountDecider,
  type AccountState,
  type CreditEvent,
  type GenerationCharged,
  type GenerationRefused,
} from '@credits/domain';
import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@credits/event-store';
import { asError } from '@credits/runtime';
import { decodeLedgerEvent } from '@credits/contract';
import type { AccountSnapshots, SnapshotState } from './account-snapshots';

/** An account's folded state and the revision it stands at (null: the stream has no events). */
export interface LoadedAccount {
  readonly state: AccountState;
  readonly revision: bigint | null;
  /** The latest time among the events folded (-Infinity: none): a snapshot's as-of bound. */
  readonly latestEventAtMs: number;
  /** The revision of the newest snapshot stored of it, as far as this process knows. */
  readonly snapshotRevision: bigint | null;
}

export interface LoadedAccounts {
  readonly loaded: Map<string, LoadedAccount>;
  readonly unloadable: Map<string, Error>;
}

/** What loading read, for the metrics. */
export interface LoadObserver {
  loaded(from: 'snapshot' | 'start', eventsFolded: number): void;
}

const PAGE = 1_000;

/** The state after folding stored events onto a start. */
export function foldStored(
  decider: AccountDecider,
  start: SnapshotState | null,
  recorded: readonly RecordedEvent[],
): Omit<LoadedAccount, 'snapshotRevision'> {
  let state = start?.state ?? decider.initialState;
  let latestEventAtMs = start?.latestEventAtMs ?? -Infinity;
  for (const stored of recorded) {
    const event = decodeLedgerEvent(stored);
    state = decider.evolve(state, event);
    latestEventAtMs = Math.max(latestEventAtMs, millisOf(event.at));
  }
  return {
    state,
    revision: recorded.at(-1)?.revision ?? start?.revision ?? null,
    latestEventAtMs,
  };
}

/**
 * Account states in front of their streams: a bounded least-recently-used cache, loaded from
 * the newest snapshot and the stream's tail after it (or the whole stream). The cache is only a
 * shortcut: an append conflict means it is stale, and the caller forgets the account and loads
 * it again. An account with events since its last snapshot is snapshotted when it leaves the
 * cache, and every `snapshotEveryEvents` events while it stays.
 */
export class AccountStates {
  private readonly cache: LRUCache<string, LoadedAccount>;

  constructor(
    private readonly store: EventStore,
    private readonly decider: AccountDecider,
    maxAccounts: number,
    private readonly snapshots: AccountSnapshots | null = null,
    private readonly observer: LoadObserver = { loaded: () => undefined },
  ) {
    this.cache = new LRUCache({
      max: maxAccounts,
      dispose: (account, accountId, reason) => {
        if (reason === 'evict' && account.revision !== account.snapshotRevision)
          this.snapshots?.offer(accountId, account);
      },
    });
  }

  get size(): number {
    return this.cache.size;
  }

  /**
   * The accounts' states, from the cache or loaded from their streams. An account whose stream
   * cannot be folded (a stored event this code cannot read) is returned in `unloadable` with the
   * error, and not cached: its commands are undecidable, and the other accounts go on.
   */
  async load(accountIds: Iterable<string>): Promise<LoadedAccounts> {
    const loaded = new Map<string, LoadedAccount>();
    const unloadable = new Map<string, Error>();
    const missing: string[] = [];
    for (const accountId of accountIds) {
      const cached = this.cache.get(accountId);
      if (cached) loaded.set(accountId, cached);
      else missing.push(accountId);
    }
    const starts = (await this.snapshots?.read(missing)) ?? new Map<string, SnapshotState>();
    const fromRevisions = new Map(
      [...starts].map(([accountId, start]) => [accountStream(accountId), start.revision + 1n]),
    );
    const streams = await this.store.readStreams(missing.map(accountStream), { fromRevisions });
    for (const accountId of missing) {
      const recorded = streams.get(accountStream(accountId)) ?? [];
      const start = starts.get(accountId) ?? null;
      let account: LoadedAccount;
      try {
        account = {
          ...foldStored(this.decider, start, recorded),
          snapshotRevision: start?.revision ?? null,
        };
      } catch (error) {
        const cause = asError(error).message;
        unloadable.set(
          accountId,
          new Error(`the stream ${accountStream(accountId)} could not be folded: ${cause}`, {
            cause: error,
          }),
        );
        continue;
      }
      this.observer.loaded(start ? 'snapshot' : 'start', recorded.length);
      loaded.set(accountId, account);
      this.cache.set(accountId, account);
    }
    return { loaded, unloadable };
  }

  /** An account as it stands after an append; snapshotted when it is due one. */
  remember(accountId: string, account: LoadedAccount): void {
    if (this.snapshots?.isDue(account, account.snapshotRevision)) {
      this.snapshots.offer(accountId, account);
      account = { ...account, snapshotRevision: account.revision };
    }
    this.cache.set(accountId, account);
  }

  forget(accountIds: Iterable<string>): void {
    for (const accountId of accountIds) this.cache.delete(accountId);
  }

  /**
   * The stored decision of a generation, for a redelivered request: at the revision its claim
   * names, or (a stream written before claims) newest first, bounded.
   */
  async findDecision(
    accountId: string,
    generationId: string,
    claimedAt?: bigint,
  ): Promise<GenerationCharged | GenerationRefused | null> {
    const isDecision = (event: CreditEvent): event is GenerationCharged | GenerationRefused =>
      (event.type === 'GenerationCharged' || event.type === 'GenerationRefused') &&
      event.generationId === generationId;
    if (claimedAt !== undefined) {
      const [recorded] = await this.readPage(accountId, { fromRevision: claimedAt, maxCount: 1 });
      const event = recorded && decodeLedgerEvent(recorded);
      if (event && isDecision(event)) return event;
    }
    let from: bigint | undefined;
    // Streams written before claims: far beyond the settled generations a state remembers.
    const scanLimit = this.decider.rules.memory.settledGenerationsKept * 20;
    for (let scanned = 0; scanned < scanLimit; scanned += PAGE) {
      const page = await this.readPage(accountId, {
        direction: 'backwards',
        maxCount: PAGE,
        fromRevision: from,
      });
      for (const recorded of page) {
        const event = decodeLedgerEvent(recorded);
        if (isDecision(event)) return event;
      }
      const oldest = page.at(-1)?.revision;
      if (page.length < PAGE || oldest === undefined || oldest === 0n) return null;
      from = oldest - 1n;
    }
    return null;
  }

  private async readPage(accountId: string, options: Parameters<EventStore['readStream']>[1]) {
    try {
      return await this.store.readStream(accountStream(accountId), options);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }
}
