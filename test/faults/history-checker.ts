import { accountDecider, type CreditEvent } from '@credits/domain';
import type { Operation } from '../harness/history';

/** What a history and the final ledgers show, each anomaly with the keys it concerns. */
export type HistoryVerdict = {
  /** Acknowledged, never applied. */
  readonly lost: readonly string[];
  /** Applied more than once. */
  readonly duplicate: readonly string[];
  /** Applied, never acknowledged, with no unknown operation to explain it. */
  readonly unseen: readonly string[];
  /** Applied, never acknowledged, but an operation's outcome was unknown: allowed. */
  readonly unseenOfUnknown: readonly string[];
  /** Accounts whose balance at the end differs from the oracle's fold. */
  readonly balance: readonly string[];
};

/**
 * Reads a run's history against the ledgers it left. Written apart from the projector: a wire
 * event's effect is the ledger events naming it as their source, per account, and the oracle's
 * fold says how many there should be. More than that is a duplicate (a second decision, next
 * to the first or not); none for an acknowledged event is a loss. `valid` holds the keys the
 * ledger must apply (a malformed message's key, if it has one, is dead-lettered instead).
 */
export function checkHistory(
  operations: readonly Operation[],
  valid: ReadonlySet<string>,
  stored: ReadonlyMap<string, readonly CreditEvent[]>,
  expected: ReadonlyMap<string, readonly CreditEvent[]>,
): HistoryVerdict {
  const effects = effectsOf(stored);
  const wanted = effectsOf(expected);
  const acknowledged = new Set<string>();
  const unknown = new Set<string>();
  for (const operation of operations) {
    if (operation.kind !== 'publish') continue; // checkGenerations reads those
    if (operation.outcome === 'ok') acknowledged.add(operation.key);
    if (operation.outcome === 'unknown' || operation.outcome === null) unknown.add(operation.key);
  }
  const applied = new Set([...effects.keys()].map((place) => place.slice(place.indexOf(' ') + 1)));
  const neverAcknowledged = [...applied].filter((key) => !acknowledged.has(key));
  return {
    lost: [...acknowledged].filter((key) => valid.has(key) && !applied.has(key)),
    duplicate: [...effects]
      .filter(([place, count]) => count > (wanted.get(place) ?? 0))
      .map(([place]) => place.slice(place.indexOf(' ') + 1)),
    unseen: neverAcknowledged.filter((key) => !unknown.has(key)),
    unseenOfUnknown: neverAcknowledged.filter((key) => unknown.has(key)),
    balance: [...expected].flatMap(([account, ledger]) =>
      balanceAtEnd(stored.get(account) ?? [], ledger) === balanceAtEnd(ledger, ledger)
        ? []
        : [account],
    ),
  };
}

/** Per account and wire event (`account key`), how many ledger events name it as their source. */
function effectsOf(ledgers: ReadonlyMap<string, readonly CreditEvent[]>): Map<string, number> {
  const effects = new Map<string, number>();
  for (const [account, ledger] of ledgers)
    for (const event of ledger) {
      if (!event.source) continue;
      const place = `${account} ${event.source.producer}/${event.source.id}`;
      effects.set(place, (effects.get(place) ?? 0) + 1);
    }
  return effects;
}

/** Available credits once the oracle's last event has happened. */
function balanceAtEnd(ledger: readonly CreditEvent[], oracle: readonly CreditEvent[]): number {
  const decider = accountDecider();
  const end = Math.max(0, ...oracle.map((event) => Date.parse(event.at)));
  const state = ledger.reduce(
    (folded, event) => decider.evolve(folded, event),
    decider.initialState,
  );
  return decider.availableCredits(state, end);
}

/** What a history of HTTP generations and settlements and the final ledgers show, by generation. */
export type GenerationVerdict = {
  /** Answered (a decision, or a keep or discard accepted), with nothing in the ledger. */
  readonly lost: readonly string[];
  /** Decided twice, or settled twice, in the ledger. */
  readonly duplicate: readonly string[];
  /** In the ledger, asked for by no operation. */
  readonly unseen: readonly string[];
  /** Answered one way (approved, say), recorded the other in the ledger. */
  readonly contradicted: readonly string[];
};

/** What the ledger says of each generation (`account/generationId`). */
interface Recorded {
  decisions: ('approved' | 'refused')[];
  settlements: ('accept' | 'reject')[];
}

/**
 * Reads the HTTP operations of a history against the ledgers: each generation answered must be
 * decided once, as it was answered, and each keep or discard answered must be settled once. A
 * lapse is the sweeper's, not an operation's: it settles nothing here. Written apart from the
 * projector: it reads only the event types the design names for each outcome.
 */
export function checkGenerations(
  operations: readonly Operation[],
  stored: ReadonlyMap<string, readonly CreditEvent[]>,
): GenerationVerdict {
  const recorded = new Map<string, Recorded>();
  const of = (key: string) => {
    let entry = recorded.get(key);
    if (!entry) recorded.set(key, (entry = { decisions: [], settlements: [] }));
    return entry;
  };
  for (const [account, ledger] of stored)
    for (const event of ledger) {
      const key = 'generationId' in event ? `${account}/${event.generationId}` : null;
      if (key === null) continue;
      if (event.type === 'GenerationCharged') of(key).decisions.push('approved');
      if (event.type === 'GenerationRefused') of(key).decisions.push('refused');
      if (event.type === 'EditKept' || event.type === 'AcceptRefused')
        of(key).settlements.push('accept');
      if (event.type === 'EditDiscarded') of(key).settlements.push('reject');
    }
  const http = operations.filter((operation) => operation.kind !== 'publish');
  const asked = new Set(http.filter((o) => o.outcome !== 'fail').map((o) => o.key));
  const lost = new Set<string>();
  const contradicted = new Set<string>();
  for (const operation of http) {
    if (operation.outcome !== 'ok') continue;
    const entry = recorded.get(operation.key);
    if (operation.kind === 'generate') {
      if (!entry || entry.decisions.length === 0) lost.add(operation.key);
      else if (entry.decisions[0] !== operation.detail) contradicted.add(operation.key);
    } else if (operation.kind !== 'publish' && !entry?.settlements.includes(operation.kind))
      lost.add(operation.key);
  }
  return {
    lost: [...lost],
    duplicate: [...recorded]
      .filter(([, entry]) => entry.decisions.length > 1 || entry.settlements.length > 1)
      .map(([key]) => key),
    unseen: [...recorded.keys()].filter((key) => !asked.has(key)),
    contradicted: [...contradicted],
  };
}

/** One line a fault report prints: each count, and the first keys of any that is not zero. */
export function describeVerdict(
  verdict: Readonly<Record<string, readonly string[]>>,
  operations: number,
): string {
  const counts = Object.entries(verdict).map(
    ([name, keys]) =>
      `${name} ${keys.length}${keys.length > 0 ? ` (${keys.slice(0, 3).join(', ')})` : ''}`,
  );
  return `history of ${operations} operations: ${counts.join(', ')}`;
}

/** What a history shows of a topic read to its end: each message's key, as many times as it is there. */
export type TopicVerdict = {
  /** Acknowledged, not in the topic. */
  readonly lost: readonly string[];
  /** In the topic more than once: a resend of a send whose answer was lost, or a bug. */
  readonly duplicate: readonly string[];
  /** In the topic, never acknowledged, with no unknown send to explain it. */
  readonly unseen: readonly string[];
};

export function checkTopic(
  operations: readonly Operation[],
  written: readonly string[],
): TopicVerdict {
  const copies = new Map<string, number>();
  for (const key of written) copies.set(key, (copies.get(key) ?? 0) + 1);
  const acknowledged = new Set(operations.filter((o) => o.outcome === 'ok').map((o) => o.key));
  const unknown = new Set(
    operations.filter((o) => o.outcome !== 'ok' && o.outcome !== 'fail').map((o) => o.key),
  );
  return {
    lost: [...acknowledged].filter((key) => !copies.has(key)),
    duplicate: [...copies].filter(([, count]) => count > 1).map(([key]) => key),
    unseen: [...copies.keys()].filter((key) => !acknowledged.has(key) && !unknown.has(key)),
  };
}
