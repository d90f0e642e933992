import { LRUCache } from 'lru-cache';
import { accountOfStream } from '@credits/domain/streams';
import {
  evolve,
  fold,
  initialAccountState,
  type AccountState,
  type CreditEvent,
} from '@credits/domain';
import { decodeLedgerEvent } from '@credits/contract';
import type { EventStore, RecordedEvent } from '@credits/event-store';

export { ACCOUNT_CATEGORY, accountOfStream } from '@credits/domain/streams';

/** One ledger event with the account's state just before and just after it. */
export interface AccountChange {
  readonly accountId: string;
  readonly recorded: RecordedEvent;
  readonly event: CreditEvent;
  readonly before: AccountState;
  readonly after: AccountState;
}

/**
 * Account states kept current by a subscription's events, so a projection sees each event with
 * the state around it. A state the cache lost, or one that skipped revisions (another instance
 * handled them), is folded again from the stream.
 */
export class AccountFolds {
  private readonly cache: LRUCache<string, { state: AccountState; revision: bigint }>;

  constructor(
    private readonly store: EventStore,
    maxAccounts: number,
  ) {
    this.cache = new LRUCache({ max: maxAccounts });
  }

  clear(): void {
    this.cache.clear();
  }

  async changes(events: readonly RecordedEvent[]): Promise<AccountChange[]> {
    await this.loadMissing(events);
    const changes: AccountChange[] = [];
    for (const recorded of events) {
      const accountId = accountOfStream(recorded.streamName);
      const event = decodeLedgerEvent(recorded);
      const cached = this.cache.get(accountId);
      const before =
        cached && cached.revision + 1n === recorded.revision
          ? cached.state
          : await this.stateBefore(recorded);
      const after = evolve(before, event);
      this.cache.set(accountId, { state: after, revision: recorded.revision });
      changes.push({ accountId, recorded, event, before, after });
    }
    return changes;
  }

  /**
   * Folds, in one read, every account of a page whose state is not cached at the revision
   * before its first event here: with more accounts than the cache holds (a rebuild over the
   * whole history), one round trip per event would otherwise set the pace.
   */
  private async loadMissing(events: readonly RecordedEvent[]): Promise<void> {
    const firstRevisions = new Map<string, bigint>();
    for (const recorded of events) {
      if (firstRevisions.has(recorded.streamName)) continue;
      firstRevisions.set(recorded.streamName, recorded.revision);
    }
    const missing = [...firstRevisions].filter(([streamName, revision]) => {
      const cached = this.cache.peek(accountOfStream(streamName));
      return revision > 0n && !(cached && cached.revision + 1n === revision);
    });
    if (missing.length === 0) return;
    const streams = await this.store.readStreams(missing.map(([streamName]) => streamName));
    for (const [streamName, revision] of missing) {
      const earlier = (streams.get(streamName) ?? []).filter((event) => event.revision < revision);
      // A stream shorter than the page says (not yet visible to this read): left to stateBefore.
      if (earlier.length !== Number(revision)) continue;
      this.cache.set(accountOfStream(streamName), {
        state: fold(earlier.map(decodeLedgerEvent), initialAccountState),
        revision: revision - 1n,
      });
    }
  }

  private async stateBefore(recorded: RecordedEvent): Promise<AccountState> {
    if (recorded.revision === 0n) return initialAccountState;
    const earlier = await this.store.readStream(recorded.streamName, {
      maxCount: Number(recorded.revision),
    });
    return fold(earlier.map(decodeLedgerEvent), initialAccountState);
  }
}
