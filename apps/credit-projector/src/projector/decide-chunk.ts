import { accountStream, claimsMade, withRecalled } from '@credits/domain/streams';
import { millisOf } from '@credits/domain/instants';
import {
  type AccountCommand,
  type AccountDecider,
  type AccountState,
  type CreditEvent,
  isDecisionOf,
  type GenerationDecision,
} from '@credits/domain';
import type { EventData, StreamAppend } from '@credits/event-store';
import { asError } from '@credits/runtime';
import type { LoadedAccount } from '../ledger/account-states';
import type { ClaimBook } from '../ledger/claim-book';
import { encodeLedgerEvent } from '@credits/contract';

/** One command for one account, in the order its partition delivered it. */
export interface LedgerItem {
  readonly accountId: string;
  readonly command: AccountCommand;
}

export interface DecidedAccount {
  readonly accountId: string;
  readonly events: CreditEvent[];
  readonly after: LoadedAccount;
  readonly append: StreamAppend | null;
}

/** What deciding one item caused. */
export interface ItemOutcome {
  /** Ledger events it caused: 0 for a redelivery, a repeat, or an item that was undecidable. */
  readonly ledgerEvents: number;
  /**
   * A generation request's decision, to publish: its own, or a repeat's, found in this chunk or,
   * `stored`, to be read back from the store once the chunk is durable. Null for other commands.
   */
  readonly decision: GenerationDecision | 'stored' | null;
  /** Why it could not be decided, encoded or stored: it caused nothing, and is dead-lettered. */
  readonly undecidable: Error | null;
}

/** An item and what deciding it caused: the outcome travels with the item it is of. */
export interface Decided<T extends LedgerItem> {
  readonly item: T;
  readonly outcome: ItemOutcome;
}

export interface ChunkDecision<T extends LedgerItem> {
  readonly accounts: DecidedAccount[];
  /** Each item, in order, with its outcome. */
  readonly decided: Decided<T>[];
}

/** An item that causes nothing: undecidable, for `error`. */
export function undecidable<T extends LedgerItem>(item: T, error: Error): Decided<T> {
  return { item, outcome: { ledgerEvents: 0, decision: null, undecidable: error } };
}

/** Each account as the chunk leaves it so far: the fields that change, kept in place. */
interface AccountInChunk {
  state: AccountState;
  revision: bigint | null;
  latestEventAtMs: number;
  readonly events: CreditEvent[];
  readonly stored: EventData[];
  readonly isHeld: (claim: string) => boolean;
  readonly claimed: Set<string>;
}

interface DecidedItem {
  readonly events: CreditEvent[];
  readonly state: AccountState;
  readonly stored: EventData[];
}

/**
 * One command decided, given what the durable record recalls of it, folded and encoded for the
 * store with the claims its events make; anything it throws is its own.
 */
function decideOne(
  decider: AccountDecider,
  accountId: string,
  command: AccountCommand,
  account: Pick<AccountInChunk, 'state' | 'revision' | 'isHeld'>,
): DecidedItem {
  const { events, state } = decider.decideAndEvolve(
    withRecalled(command, account.isHeld),
    account.state,
  );
  const claims = claimsMade(command, events);
  let revision = account.revision === null ? 0n : account.revision + 1n;
  const stored = events.map((event, index) => {
    let made: string[] | undefined;
    for (const { eventIndex, claim } of claims) if (eventIndex === index) (made ??= []).push(claim);
    return encodeLedgerEvent(accountId, revision++, event, made);
  });
  return { events, state, stored };
}

/**
 * Decides a chunk of one partition's commands against the loaded account states: pure, so a
 * conflict can simply load again and call it again. Each account's new events become one append
 * at the revision its state was loaded at.
 *
 * Each item is decided with what the durable record recalls of it: the claims held before the
 * chunk (`claims`), and those its earlier items make.
 *
 * An item whose deciding or encoding throws (bad input the contract let through, or a bug the
 * rules did not foresee), or whose account could not be loaded, is set aside as undecidable: it
 * causes nothing, and the account's later items are decided on the state before it.
 */
export function decideChunk<T extends LedgerItem>(
  decider: AccountDecider,
  items: readonly T[],
  loaded: ReadonlyMap<string, LoadedAccount>,
  claims: ClaimBook,
  unloadable: ReadonlyMap<string, Error> = new Map(),
): ChunkDecision<T> {
  const current = new Map<string, AccountInChunk>();
  const decided: Decided<T>[] = [];
  for (const item of items) {
    const { accountId, command } = item;
    const cannotLoad = unloadable.get(accountId);
    if (cannotLoad) {
      decided.push(undecidable(item, cannotLoad));
      continue;
    }
    let entry = current.get(accountId);
    if (!entry) {
      const account = loaded.get(accountId);
      if (!account) throw new Error(`account ${accountId} was not loaded`);
      const stream = accountStream(accountId);
      const claimed = new Set<string>();
      entry = {
        state: account.state,
        revision: account.revision,
        latestEventAtMs: account.latestEventAtMs,
        events: [],
        stored: [],
        claimed,
        isHeld: (claim) => claimed.has(claim) || claims.has(stream, claim),
      };
      current.set(accountId, entry);
    }
    let one: DecidedItem;
    try {
      one = decideOne(decider, accountId, command, entry);
    } catch (error) {
      decided.push(undecidable(item, asError(error)));
      continue;
    }
    const { events, state, stored } = one;
    entry.state = state;
    if (events.length > 0) entry.revision = (entry.revision ?? -1n) + BigInt(events.length);
    for (const event of events)
      entry.latestEventAtMs = Math.max(entry.latestEventAtMs, millisOf(event.at));
    let decision: ItemOutcome['decision'] = null;
    if (command.type === 'RequestGeneration') {
      // A repeat's decision may be this chunk's own; otherwise the store holds it.
      const isDecision = isDecisionOf(command.generationId);
      decision = events.find(isDecision) ?? entry.events.findLast(isDecision) ?? 'stored';
    }
    entry.events.push(...events);
    entry.stored.push(...stored);
    for (const event of stored) for (const claim of event.claims ?? []) entry.claimed.add(claim);
    decided.push({
      item,
      outcome: { ledgerEvents: events.length, decision, undecidable: null },
    });
  }
  const accounts = [...current].map(([accountId, entry]) => {
    const before = loaded.get(accountId) as LoadedAccount;
    const { state, revision, latestEventAtMs, events, stored } = entry;
    return {
      accountId,
      events,
      after: { ...before, state, revision, latestEventAtMs },
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
  return { accounts, decided };
}
