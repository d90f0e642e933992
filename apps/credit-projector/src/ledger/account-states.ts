import { LRUCache } from 'lru-cache';
import {
  accountStream,
  fold,
  initialAccountState,
  STANDARD_MEMORY,
  type AccountState,
  type GenerationCharged,
  type GenerationRefused,
} from '@credits/domain';
import { StreamNotFoundError, type EventStore } from '@credits/event-store';
import { asError } from '@credits/runtime';
import { decodeLedgerEvent } from '@credits/contract';

/** An account's folded state and the revision it stands at (null: the stream has no events). */
export interface LoadedAccount {
  readonly state: AccountState;
  readonly revision: bigint | null;
}

export interface LoadedAccounts {
  readonly loaded: Map<string, LoadedAccount>;
  readonly unloadable: Map<string, Error>;
}

const PAGE = 1_000;

/**
 * Account states in front of their streams: a bounded least-recently-used cache, loaded by
 * folding the stream. The cache is only a shortcut: an append conflict means it is stale, and the
 * caller forgets the account and loads it again.
 */
export class AccountStates {
  private readonly cache: LRUCache<string, LoadedAccount>;

  constructor(
    private readonly store: EventStore,
    maxAccounts: number,
  ) {
    this.cache = new LRUCache({ max: maxAccounts });
  }

  get size(): number {
    return this.cache.size;
  }

  /**
   * The accounts' states, from the cache or folded from their streams. An account whose stream
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
    const streams = await this.store.readStreams(missing.map(accountStream));
    for (const accountId of missing) {
      const recorded = streams.get(accountStream(accountId)) ?? [];
      let account: LoadedAccount;
      try {
        account = {
          state: fold(recorded.map(decodeLedgerEvent), initialAccountState),
          revision: recorded.at(-1)?.revision ?? null,
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
      loaded.set(accountId, account);
      this.cache.set(accountId, account);
    }
    return { loaded, unloadable };
  }

  remember(accountId: string, account: LoadedAccount): void {
    this.cache.set(accountId, account);
  }

  forget(accountIds: Iterable<string>): void {
    for (const accountId of accountIds) this.cache.delete(accountId);
  }

  /** The stored decision of a generation, for a redelivered request: newest first, bounded. */
  async findDecision(
    accountId: string,
    generationId: string,
  ): Promise<GenerationCharged | GenerationRefused | null> {
    let from: bigint | undefined;
    // Far beyond the settled generations the state remembers: older repeats are ignored anyway.
    for (let scanned = 0; scanned < STANDARD_MEMORY.settledGenerationsKept * 20; scanned += PAGE) {
      const page = await this.readPage(accountId, {
        direction: 'backwards',
        maxCount: PAGE,
        fromRevision: from,
      });
      for (const recorded of page) {
        const event = decodeLedgerEvent(recorded);
        if (
          (event.type === 'GenerationCharged' || event.type === 'GenerationRefused') &&
          event.generationId === generationId
        )
          return event;
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
