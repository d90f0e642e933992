import type { OnApplicationShutdown } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { accountStream } from '@credits/domain/streams';
import { isDecisionOf, type AccountDecider, type GenerationDecision } from '@credits/domain';
import { StreamNotFoundError, type EventStore } from '@credits/event-store';
import { foldStored, readAccounts, type FoldedAccount } from '@credits/ledger';
import { asError } from '@credits/runtime';
import { decodeLedgerEvent } from '@credits/contract';
import { eventsSince, type AccountSnapshots } from './account-snapshots';

/** What the states ask of the snapshots: which version to read, and when to take one. */
export type SnapshotPolicy = Pick<
  AccountSnapshots,
  'stateVersion' | 'trouble' | 'isDue' | 'isWorthOnLeaving' | 'offer' | 'flush'
>;

/** An account's folded state and the revision it stands at (null: the stream has no events). */
export interface LoadedAccount extends FoldedAccount {
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

/**
 * At shutdown, the accounts with the most events since their last snapshot are snapshotted, at
 * most this many: the busiest are the ones a restart would fold the longest.
 */
const SNAPSHOTS_AT_SHUTDOWN = 2_000;

/**
 * Account states in front of their streams: a bounded least-recently-used cache, loaded from
 * the newest snapshot and the stream's tail after it (or the whole stream). The cache is only a
 * shortcut: an append conflict means it is stale, and the caller forgets the account and loads
 * it again. An account is snapshotted every `snapshotEveryEvents` events while it stays, and
 * when it leaves the cache (evicted, or at shutdown) with enough events since its last snapshot.
 */
export class AccountStates implements OnApplicationShutdown {
  private readonly cache: LRUCache<string, LoadedAccount>;

  constructor(
    private readonly store: EventStore,
    private readonly decider: AccountDecider,
    maxAccounts: number,
    private readonly snapshots: SnapshotPolicy,
    private readonly observer: LoadObserver = { loaded: () => undefined },
  ) {
    this.cache = new LRUCache({
      max: maxAccounts,
      dispose: (account, accountId, reason) => {
        if (reason === 'evict' && snapshots.isWorthOnLeaving(account, account.snapshotRevision))
          snapshots.offer(accountId, account);
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
    const read = await readAccounts(this.store, this.snapshots.stateVersion, missing, {
      trouble: this.snapshots.trouble,
    });
    for (const accountId of missing) {
      const { start, tail } = read.get(accountId) ?? { start: null, tail: [] };
      let account: LoadedAccount;
      try {
        account = {
          ...foldStored(this.decider, start, tail),
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
      this.observer.loaded(start ? 'snapshot' : 'start', tail.length);
      loaded.set(accountId, account);
      this.cache.set(accountId, account);
    }
    return { loaded, unloadable };
  }

  /** An account as it stands after an append; snapshotted when it is due one. */
  remember(accountId: string, account: LoadedAccount): void {
    if (this.snapshots.isDue(account, account.snapshotRevision)) {
      this.snapshots.offer(accountId, account);
      account = { ...account, snapshotRevision: account.revision };
    }
    this.cache.set(accountId, account);
  }

  /**
   * Leaving the cache at shutdown: the accounts worth a snapshot get one (the busiest first,
   * bounded), so a restart loads them from it. Called once the consumer has stopped.
   */
  async onApplicationShutdown(): Promise<void> {
    const snapshots = this.snapshots;
    const worth = [...this.cache.entries()]
      .filter(([, account]) => snapshots.isWorthOnLeaving(account, account.snapshotRevision))
      .sort(
        ([, a], [, b]) => eventsSince(b, b.snapshotRevision) - eventsSince(a, a.snapshotRevision),
      )
      .slice(0, SNAPSHOTS_AT_SHUTDOWN);
    for (const [accountId, account] of worth) snapshots.offer(accountId, account);
    await snapshots.flush();
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
  ): Promise<GenerationDecision | null> {
    const isDecision = isDecisionOf(generationId);
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
