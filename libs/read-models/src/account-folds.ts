import { LRUCache } from 'lru-cache';
import {
  accountOfStream,
  evolve,
  fold,
  initialAccountState,
  type AccountState,
  type CreditEvent,
} from '@credits/domain';
import type { EventStore, RecordedEvent } from '@credits/event-store';

export { ACCOUNT_CATEGORY, accountOfStream } from '@credits/domain';

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
    const changes: AccountChange[] = [];
    for (const recorded of events) {
      const accountId = accountOfStream(recorded.streamName);
      const event = recorded.data as unknown as CreditEvent;
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

  private async stateBefore(recorded: RecordedEvent): Promise<AccountState> {
    if (recorded.revision === 0n) return initialAccountState;
    const earlier = await this.store.readStream(recorded.streamName, {
      maxCount: Number(recorded.revision),
    });
    return fold(
      earlier.map((event) => event.data as unknown as CreditEvent),
      initialAccountState,
    );
  }
}
