import {
  accountStream,
  type AccountCommand,
  type AccountDecider,
  type AccountState,
  type CreditEvent,
  type GenerationCharged,
  type GenerationRefused,
} from '@credits/domain';
import type { EventData, StreamAppend } from '@credits/event-store';
import { asError } from '@credits/runtime';
import type { LoadedAccount } from '../ledger/account-states';
import { encodeLedgerEvent } from '@credits/contract';

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

/** An item that could not be decided or encoded: it causes nothing, and is dead-lettered. */
export interface UndecidableItem {
  /** Its place among the chunk's items. */
  readonly index: number;
  readonly error: Error;
}

export interface ChunkDecision {
  readonly accounts: DecidedAccount[];
  readonly decisions: DecisionToPublish[];
  /** Per item: how many ledger events it caused (0: a redelivery, a repeat, or undecidable). */
  readonly eventsPerItem: number[];
  readonly undecidable: UndecidableItem[];
}

function isDecisionOf(generationId: string) {
  return (event: CreditEvent): event is GenerationCharged | GenerationRefused =>
    (event.type === 'GenerationCharged' || event.type === 'GenerationRefused') &&
    event.generationId === generationId;
}

interface Decided {
  readonly events: CreditEvent[];
  readonly state: AccountState;
  readonly stored: EventData[];
}

/** One command decided, folded and encoded for the store; anything it throws is its own. */
function decideOne(
  decider: AccountDecider,
  accountId: string,
  command: AccountCommand,
  account: LoadedAccount,
): Decided {
  const { events, state } = decider.decideAndEvolve(command, account.state);
  const first = account.revision === null ? 0n : account.revision + 1n;
  const stored = events.map((event, index) =>
    encodeLedgerEvent(accountId, first + BigInt(index), event),
  );
  return { events, state, stored };
}

/**
 * Decides a chunk of one partition's commands against the loaded account states: pure, so a
 * conflict can simply load again and call it again. Each account's new events become one append
 * at the revision its state was loaded at.
 *
 * An item whose deciding or encoding throws (bad input the contract let through, or a bug the
 * rules did not foresee), or whose account could not be loaded, is set aside as undecidable: it
 * causes nothing, and the account's later items are decided on the state before it.
 */
export function decideChunk(
  decider: AccountDecider,
  items: readonly AccountCommandItem[],
  loaded: ReadonlyMap<string, LoadedAccount>,
  unloadable: ReadonlyMap<string, Error> = new Map(),
): ChunkDecision {
  const current = new Map<
    string,
    { account: LoadedAccount; events: CreditEvent[]; stored: EventData[] }
  >();
  const decisions: DecisionToPublish[] = [];
  const eventsPerItem: number[] = [];
  const undecidable: UndecidableItem[] = [];
  for (const [index, { accountId, command }] of items.entries()) {
    const cannotLoad = unloadable.get(accountId);
    if (cannotLoad) {
      undecidable.push({ index, error: cannotLoad });
      eventsPerItem.push(0);
      continue;
    }
    let entry = current.get(accountId);
    if (!entry) {
      const account = loaded.get(accountId);
      if (!account) throw new Error(`account ${accountId} was not loaded`);
      entry = { account, events: [], stored: [] };
      current.set(accountId, entry);
    }
    let decided: Decided;
    try {
      decided = decideOne(decider, accountId, command, entry.account);
    } catch (error) {
      undecidable.push({ index, error: asError(error) });
      eventsPerItem.push(0);
      continue;
    }
    const { events, state, stored } = decided;
    const revision = entry.account.revision;
    entry.account = {
      state,
      revision: events.length === 0 ? revision : (revision ?? -1n) + BigInt(events.length),
    };
    entry.events.push(...events);
    entry.stored.push(...stored);
    eventsPerItem.push(events.length);
    if (command.type === 'RequestGeneration')
      decisions.push({
        accountId,
        generationId: command.generationId,
        decision: events.find(isDecisionOf(command.generationId)) ?? null,
      });
  }
  const accounts = [...current].map(([accountId, { account, events, stored }]) => {
    const before = loaded.get(accountId) as LoadedAccount;
    return {
      accountId,
      events,
      after: account,
      append:
        stored.length === 0
          ? null
          : {
              stream: accountStream(accountId),
              expectedRevision: before.revision ?? ('no_stream' as const),
              events: stored,
            },
    };
  });
  return { accounts, decisions, eventsPerItem, undecidable };
}
