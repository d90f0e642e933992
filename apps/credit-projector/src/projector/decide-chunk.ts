import type {
  AccountCommand,
  AccountDecider,
  CreditEvent,
  GenerationCharged,
  GenerationRefused,
} from '@credits/domain';
import type { StreamAppend } from '@credits/event-store';
import type { LoadedAccount } from '../ledger/account-states';
import { accountStream, toEventData } from '../ledger/account-stream';

/** One command for one account, in the order its partition delivered it. */
export interface AccountCommandItem {
  readonly accountId: string;
  readonly command: AccountCommand;
}

export interface DecidedAccount {
  readonly accountId: string;
  readonly events: CreditEvent[];
  readonly after: LoadedAccount;
  readonly append: StreamAppend | null;
}

/** A generation request's stored decision, or null when the store must be asked (a repeat). */
export interface DecisionToPublish {
  readonly accountId: string;
  readonly generationId: string;
  readonly decision: GenerationCharged | GenerationRefused | null;
}

export interface ChunkDecision {
  readonly accounts: DecidedAccount[];
  readonly decisions: DecisionToPublish[];
  /** Per item: how many ledger events it caused (0: a redelivery or a repeat). */
  readonly eventsPerItem: number[];
}

function isDecisionOf(generationId: string) {
  return (event: CreditEvent): event is GenerationCharged | GenerationRefused =>
    (event.type === 'GenerationCharged' || event.type === 'GenerationRefused') &&
    event.generationId === generationId;
}

/**
 * Decides a chunk of one partition's commands against the loaded account states: pure, so a
 * conflict can simply load again and call it again. Each account's new events become one append
 * at the revision its state was loaded at.
 */
export function decideChunk(
  decider: AccountDecider,
  items: readonly AccountCommandItem[],
  loaded: ReadonlyMap<string, LoadedAccount>,
): ChunkDecision {
  const current = new Map<string, { account: LoadedAccount; events: CreditEvent[] }>();
  const decisions: DecisionToPublish[] = [];
  const eventsPerItem: number[] = [];
  for (const { accountId, command } of items) {
    let entry = current.get(accountId);
    if (!entry) {
      const account = loaded.get(accountId);
      if (!account) throw new Error(`account ${accountId} was not loaded`);
      entry = { account, events: [] };
      current.set(accountId, entry);
    }
    const events = decider.decide(command, entry.account.state);
    let state = entry.account.state;
    for (const event of events) state = decider.evolve(state, event);
    const revision = entry.account.revision;
    entry.account = {
      state,
      revision: events.length === 0 ? revision : (revision ?? -1n) + BigInt(events.length),
    };
    entry.events.push(...events);
    eventsPerItem.push(events.length);
    if (command.type === 'RequestGeneration')
      decisions.push({
        accountId,
        generationId: command.generationId,
        decision: events.find(isDecisionOf(command.generationId)) ?? null,
      });
  }
  const accounts = [...current].map(([accountId, { account, events }]) => {
    const before = loaded.get(accountId) as LoadedAccount;
    const first = before.revision === null ? 0n : before.revision + 1n;
    return {
      accountId,
      events,
      after: account,
      append:
        events.length === 0
          ? null
          : {
              stream: accountStream(accountId),
              expectedRevision: before.revision ?? ('no_stream' as const),
              events: events.map((event, index) =>
                toEventData(accountId, first + BigInt(index), event),
              ),
            },
    };
  });
  return { accounts, decisions, eventsPerItem };
}
