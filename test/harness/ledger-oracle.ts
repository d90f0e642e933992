import { Client, Pool } from 'pg';
import {
  accountOfStream,
  accountStream,
  claimsMade,
  fold,
  initialAccountState,
  millisOf,
  referenceDecider,
  STANDARD_RULES,
  withRecalled,
  type CreditRules,
  type AccountCommand,
  type CreditEvent,
  type ReferenceState,
} from '@credits/domain';
import { commandOf, validateEditorEvent } from '@credits/contract';
import type { WireEvent } from './editor-events';

/**
 * The oracle: the pure fold of the unique input. Each account's wire events, first delivery
 * only, decided in order by the reference decider (the rules read plainly, not the production
 * decider the projector runs) with a plain set as the durable record of what was claimed. Kafka coordinates are left out of the comparison (a redelivery
 * may sit at another offset).
 */
export function oracleLedgers(
  events: readonly WireEvent[],
  rules: CreditRules = STANDARD_RULES,
): Map<string, CreditEvent[]> {
  const decider = referenceDecider(rules);
  const seen = new Set<string>();
  const states = new Map<string, ReferenceState>();
  const ledgers = new Map<string, CreditEvent[]>();
  // The ledger's durable record, as the rules define it: what each account's events claimed.
  const claims = new Map<string, Set<string>>();
  for (const event of events) {
    const key = `${event.source}/${event.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const parsed = validateEditorEvent(event);
    if (!('event' in parsed)) continue;
    const command: AccountCommand = commandOf(parsed.event);
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

/** Every account stream in the test database, as ledger events without Kafka coordinates. */
export async function storedLedgers(
  databaseUrl: string,
  accountIds: Iterable<string>,
): Promise<Map<string, CreditEvent[]>> {
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const names = [...accountIds].map(accountStream);
    const { rows } = await pool.query<{ stream_name: string; data: CreditEvent }>(
      `SELECT stream_name, data FROM es_events WHERE stream_name = ANY($1)
       ORDER BY stream_name, stream_revision`,
      [names],
    );
    const ledgers = new Map<string, CreditEvent[]>();
    for (const row of rows) {
      const accountId = accountOfStream(row.stream_name);
      ledgers.set(accountId, [...(ledgers.get(accountId) ?? []), withoutKafka(row.data)]);
    }
    return ledgers;
  } finally {
    await pool.end();
  }
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

/**
 * How many ledger events leave their account with less than nothing available, as the reference
 * decider folds them.
 */
export function eventsBelowZero(ledgers: ReadonlyMap<string, readonly CreditEvent[]>): number {
  const reference = referenceDecider();
  let count = 0;
  for (const ledger of ledgers.values()) {
    let state = reference.initialState;
    for (const event of ledger) {
      state = reference.evolve(state, event);
      if (reference.availableCredits(state, millisOf(event.at)) < 0) count += 1;
    }
  }
  return count;
}
