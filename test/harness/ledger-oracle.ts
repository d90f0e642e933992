import { Client, Pool } from 'pg';
import { accountOfStream, accountStream, claimsMade, withRecalled } from '@credits/domain/streams';
import {
  fold,
  initialAccountState,
  accountDecider,
  STANDARD_RULES,
  type CreditRules,
  type AccountCommand,
  type AccountState,
  type CreditEvent,
} from '@credits/domain';
import { millisOf } from '@credits/domain/instants';
import { commandOf, inputTopicOf, validateInputEvent } from '@credits/contract';
import { CreditModel, ModelUndecidable } from '../oracle/credit-model';
import { outcomeOf } from '../oracle/ledger-outcomes';
import { modelTermsOf } from '../oracle/model-terms-of';
import type { WireEvent } from './editor-events';
import { groupBy } from './group-by';

/**
 * A sweep of one idle account, as its stored ledger shows it: the events it recorded name the
 * sweeper's clock reading (`sweptAt`). Where and when the sweeper ran is its choice; what each
 * sweep decides is for the oracles to say.
 */
export interface StoredSweep {
  readonly subject: string;
  readonly sweptAt: string;
}

/** What the oracles fold: the unique input, with the sweeps the stored ledgers show. */
export type OracleStep = WireEvent | StoredSweep;

function commandOfStep(step: OracleStep): AccountCommand | null {
  if ('sweptAt' in step) return { type: 'ApplyDueExpiries', at: step.sweptAt };
  const parsed = validateInputEvent(step);
  return 'event' in parsed ? commandOf(parsed.event) : null;
}

/**
 * The ledgers the pipeline must have written: the pure fold of the unique input. Each account's
 * wire events, first delivery only, decided in order by the production decider alone (no store,
 * no chunks, no snapshots, no Kafka), with a plain set as the durable record of what was
 * claimed. Kafka coordinates are left out of the comparison (a redelivery may sit at another
 * offset). That the decider's rules are right is `modelOutcomes`' to check.
 */
export function oracleLedgers(
  events: readonly OracleStep[],
  rules: CreditRules = STANDARD_RULES,
): Map<string, CreditEvent[]> {
  const decider = accountDecider(rules, { assertInvariants: true });
  const seen = new Set<string>();
  const states = new Map<string, AccountState>();
  const ledgers = new Map<string, CreditEvent[]>();
  // The ledger's durable record, as the rules define it: what each account's events claimed.
  const claims = new Map<string, Set<string>>();
  for (const event of events) {
    if (!('sweptAt' in event)) {
      const key = `${event.source}/${event.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const command = commandOfStep(event);
    if (!command) continue;
    const held = claims.get(event.subject) ?? new Set<string>();
    claims.set(event.subject, held);
    const decided = decider.decideAndEvolve(
      withRecalled(command, (claim) => held.has(claim)),
      states.get(event.subject) ?? decider.initialState,
    );
    for (const { claim } of claimsMade(command, decided.events)) held.add(claim);
    states.set(event.subject, decided.state);
    ledgers.set(event.subject, [...(ledgers.get(event.subject) ?? []), ...decided.events]);
  }
  return ledgers;
}

/**
 * What the credit model (test/oracle), written apart from the domain, says each account's unique
 * valid input decides, one line per effect: what the stored ledgers must say too (`outcomeOf`).
 */
export function modelOutcomes(
  events: readonly OracleStep[],
  rules: CreditRules = STANDARD_RULES,
): Map<string, string[]> {
  const terms = modelTermsOf(rules);
  const models = new Map<string, CreditModel>();
  const outcomes = new Map<string, string[]>();
  for (const event of events) {
    const command = commandOfStep(event);
    if (!command) continue;
    const model = models.get(event.subject) ?? new CreditModel(terms);
    models.set(event.subject, model);
    const lines = outcomes.get(event.subject) ?? [];
    outcomes.set(event.subject, lines);
    try {
      lines.push(...model.handle(command));
    } catch (error) {
      if (!(error instanceof ModelUndecidable)) throw error;
    }
  }
  return outcomes;
}

/** What a user can observe of each stored ledger, in the credit model's words. */
export function storedOutcomes(
  stored: ReadonlyMap<string, readonly CreditEvent[]>,
): Map<string, string[]> {
  return new Map([...stored].map(([accountId, ledger]) => [accountId, ledger.map(outcomeOf)]));
}

/**
 * The unique valid input in the order the projector took it, read from the stored ledgers. The
 * projector consumes editor-events and billing-events as they come, so how an account's usage and
 * billing events interleave is its choice; but each topic's events must be taken in their order.
 * Each account's two topics are merged by where each event's first effect is stored (one with no
 * effect goes as soon as its turn on its topic comes), and `outOfOrder` names each event that took
 * effect before an earlier event of its own topic. The sweeps the ledger shows (a run of events
 * naming one clock reading) go where their first event is. The oracle folds this order, which the
 * stored ledger must then equal exactly.
 */
export function storedInterleaving(
  events: readonly WireEvent[],
  stored: ReadonlyMap<string, readonly CreditEvent[]>,
): { events: OracleStep[]; outOfOrder: string[] } {
  const storedAt = new Map<string, number>();
  const sweeps: { event: StoredSweep; input: number; at: number }[] = [];
  for (const [accountId, ledger] of stored)
    ledger.forEach((event, index) => {
      const key = event.source && `${accountId}\u0000${event.source.producer}/${event.source.id}`;
      if (key && !storedAt.has(key)) storedAt.set(key, index);
      const { sweptAt } = event;
      if (sweptAt !== undefined && ledger[index - 1]?.sweptAt !== sweptAt)
        sweeps.push({ event: { subject: accountId, sweptAt }, input: -1, at: index });
    });
  const sweepsOf = groupBy(sweeps, (item) => item.event.subject);
  const seen = new Set<string>();
  const unique: { event: WireEvent; input: number; at: number }[] = [];
  events.forEach((event, input) => {
    const key = `${event.subject}\u0000${event.source}/${event.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    unique.push({ event, input, at: storedAt.get(key) ?? Number.POSITIVE_INFINITY });
  });
  const byAccount = groupBy(unique, (item) => item.event.subject);
  const ordered: OracleStep[] = [];
  const outOfOrder: string[] = [];
  for (const [accountId, list] of byAccount) {
    const queues = groupBy(list, (item) => inputTopicOf(item.event.type));
    for (const [topic, queue] of queues) {
      const stored = queue.filter((item) => Number.isFinite(item.at));
      stored.forEach((item, index) => {
        const earlier = stored[index - 1];
        if (earlier && earlier.at > item.at)
          outOfOrder.push(
            `${accountId}: ${item.event.type} ${item.event.id} took effect before ${earlier.event.type} ${earlier.event.id}, which precedes it on ${topic}`,
          );
      });
    }
    // Merged by where each took effect; one without any effect goes as soon as its turn comes.
    const heads: { event: OracleStep; input: number; at: number }[][] = [
      ...queues.values(),
      sweepsOf.get(accountId) ?? [],
    ];
    while (heads.some((queue) => queue.length > 0)) {
      const next = heads
        .filter((queue) => queue.length > 0)
        .sort((a, b) => a[0]!.at - b[0]!.at || a[0]!.input - b[0]!.input);
      const noEffect = next.find((queue) => !Number.isFinite(queue[0]!.at));
      ordered.push((noEffect ?? next[0]!).shift()!.event);
    }
  }
  return { events: ordered, outOfOrder };
}

/** Every account stream in the test database, as ledger events without Kafka coordinates. */
export async function storedLedgers(
  databaseUrl: string,
  accountIds: Iterable<string>,
): Promise<Map<string, CreditEvent[]>> {
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const names = [...accountIds].map(accountStream);
    const { rows } = await pool.query<{
      stream_name: string;
      data: CreditEvent;
      published_by: string | null;
    }>(
      `SELECT stream_name, data, metadata->>'publishedBy' AS published_by
         FROM es_events WHERE stream_name = ANY($1)
        ORDER BY stream_name, stream_revision`,
      [names],
    );
    const byStream = groupBy(rows, (row) => accountOfStream(row.stream_name));
    const ledgers = new Map<string, CreditEvent[]>();
    for (const [accountId, streamRows] of byStream)
      ledgers.set(accountId, streamRows.map(storedEvent));
    return ledgers;
  } finally {
    await pool.end();
  }
}

/** A stored row as the domain's event: who published put back, Kafka coordinates left out. */
function storedEvent(row: { data: CreditEvent; published_by: string | null }): CreditEvent {
  // Who published is kept in the metadata, beside the event: put back where the domain has it.
  const event =
    row.published_by === null || !row.data.source
      ? row.data
      : ({
          ...row.data,
          source: { ...row.data.source, publishedBy: row.published_by },
        } as CreditEvent);
  return withoutKafka(event);
}

/** How many ledger events those accounts' streams hold: a count, for polling progress. */
export async function countStoredLedgerEvents(
  databaseUrl: string,
  accountIds: Iterable<string>,
): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM es_events WHERE stream_name = ANY($1)',
      [[...accountIds].map(accountStream)],
    );
    return rows[0]?.count ?? 0;
  } finally {
    await client.end();
  }
}

export function withoutKafka(event: CreditEvent): CreditEvent {
  if (!event.source?.kafka) return event;
  const { kafka: _kafka, ...source } = event.source;
  return { ...event, source } as CreditEvent;
}

export function stateOf(ledger: readonly CreditEvent[]) {
  return fold(ledger, initialAccountState);
}

/** How many ledger events leave their account with less than nothing available. */
export function eventsBelowZero(ledgers: ReadonlyMap<string, readonly CreditEvent[]>): number {
  const decider = accountDecider();
  let count = 0;
  for (const ledger of ledgers.values()) {
    let state = decider.initialState;
    for (const event of ledger) {
      state = decider.evolve(state, event);
      if (decider.availableCredits(state, millisOf(event.at)) < 0) count += 1;
    }
  }
  return count;
}
