import { isDeepStrictEqual } from 'node:util';
import { deferredChange, tallyRevenue } from '@credits/domain/value';
import {
  accountDecider,
  fold,
  initialAccountState,
  nextDueMs,
  type CreditEvent,
  type CreditRules,
} from '@credits/domain';
import { Client } from 'pg';
import { topicNames } from '@credits/kafka';
import { kafkaClient, projectorConsumed, readTopic } from '../harness/editor-events';
import {
  countStoredLedgerEvents,
  eventsBelowZero,
  modelOutcomes,
  oracleLedgers,
  storedInterleaving,
  type OracleStep,
  storedLedgers,
  storedOutcomes,
} from '../harness/ledger-oracle';
import { runCredits } from '../harness/credits-cli';
import { startQuotaService } from '../harness/quota-service';
import { History } from '../harness/history';
import { isolatedPrefix } from '../harness/projector';
import type { FaultInput } from './fault-input';
import { checkHistory, describeVerdict } from './history-checker';
import type { FaultReport } from './fault-report';

/** Where a fault run's processes find Kafka and the event store, under a prefix of its own. */
export interface FaultWorld {
  readonly prefix: string;
  readonly brokers: string;
  readonly databaseUrl: string;
  /** More settings every process of this world runs with (a replication factor, say). */
  readonly env?: NodeJS.ProcessEnv;
  /** The rules the oracle decides by, when the env changes them (memory bounds, say). */
  readonly rules?: CreditRules;
  /** Every operation the run asked for, which the history checker reads at the end. */
  readonly history: History;
}

/** A world under a prefix of its own, on the run's Kafka and database unless others are named. */
export function faultWorld(
  label: string,
  overrides: Partial<Omit<FaultWorld, 'prefix' | 'history'>> = {},
): FaultWorld {
  return {
    history: new History(),
    prefix: isolatedPrefix(label),
    brokers: process.env.KAFKA_BROKERS ?? '',
    databaseUrl: process.env.DATABASE_URL ?? '',
    ...overrides,
  };
}

/** The environment a project process of this world runs with. */
export function worldEnv(world: FaultWorld): NodeJS.ProcessEnv {
  return { KAFKA_BROKERS: world.brokers, DATABASE_URL: world.databaseUrl, ...world.env };
}

/** What `credits status --format json` says of the world's projectors, each asked for /ready. */
export async function projectorsInStatus(
  world: FaultWorld,
  projectors: readonly { metricsUrl: string }[],
): Promise<{ code: number | null; projectors: Record<string, unknown>[]; stdout: string }> {
  const status = await runCredits(['status', '--format', 'json'], {
    ...worldEnv(world),
    KAFKA_TOPIC_PREFIX: world.prefix,
    PROJECTOR_OPS_ADDRESSES: projectors.map(({ metricsUrl }) => new URL(metricsUrl).host).join(','),
  });
  const parsed = JSON.parse(status.stdout) as { projectors: Record<string, unknown>[] };
  return { code: status.code, projectors: parsed.projectors, stdout: status.stdout };
}

export function storedLedgerEvents(world: FaultWorld, input: FaultInput): Promise<number> {
  return countStoredLedgerEvents(world.databaseUrl, input.accounts);
}

/** Waits until the projectors have appended `fraction` of the oracle's ledger events. */
export async function waitForProgress(
  world: FaultWorld,
  input: FaultInput,
  fraction: number,
): Promise<number> {
  const threshold = Math.round(input.ledgerEvents * fraction);
  for (;;) {
    const stored = await storedLedgerEvents(world, input);
    if (stored >= threshold) return stored;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Once every offset is committed: each ledger equals the oracle's, each unique valid event had
 * its effect once, no generation is charged twice, no balance went below zero, every malformed
 * message was dead-lettered, and `credits reconcile` finds the read models equal to the streams.
 */
export async function checkAgainstOracle(
  world: FaultWorld,
  input: FaultInput,
  report: FaultReport,
): Promise<void> {
  const topics = topicNames(world.prefix);
  const kafka = kafkaClient('fault-checks', world.brokers);
  await projectorConsumed(kafka, world.prefix, 300_000);
  report.note('every offset committed');

  const stored = await storedLedgers(world.databaseUrl, input.accounts);
  // The two input topics interleave as they came: the oracle follows the order the ledger shows,
  // once that order is seen to keep each topic's own.
  const taken = storedInterleaving(input.valid, stored);
  report.note(
    `checked: ${taken.outOfOrder.length} events took effect out of their topic's order${taken.outOfOrder.length > 0 ? `, first: ${taken.outOfOrder[0]}` : ''}`,
  );
  expect(taken.outOfOrder).toEqual([]);
  const sweeps = taken.events.filter((step) => 'sweptAt' in step).length;
  if (sweeps > 0)
    report.note(`the oracles replay the ${sweeps} sweeps of idle accounts the ledgers show`);
  const expected = oracleLedgers(taken.events, world.rules);
  let mismatched = 0;
  // Stored as jsonb, whose key order is its own: compare values, not texts.
  const plain = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as unknown;
  for (const [accountId, ledger] of expected) {
    const actual = (plain(stored.get(accountId)) ?? []) as unknown[];
    const wanted = plain(ledger) as unknown[];
    if (isDeepStrictEqual(actual, wanted)) continue;
    mismatched += 1;
    // The first difference of the first few, so a failing run says what went wrong.
    if (mismatched <= 3) {
      const at = wanted.findIndex((event, index) => !isDeepStrictEqual(event, actual[index]));
      const index = at < 0 ? wanted.length : at;
      report.note(
        `${accountId}: ${actual.length} ledger events, the oracle ${wanted.length}; first difference at ${index}:\n  stored ${JSON.stringify(actual[index])}\n  oracle ${JSON.stringify(wanted[index])}`,
      );
    }
  }
  report.note(
    `checked: ${expected.size - mismatched} of ${expected.size} account ledgers equal the oracle's`,
  );
  expectHistoryKept(world, input, stored, expected, report);
  expect(mismatched).toBe(0);
  expectOutcomesOfModel(taken.events, stored, world.rules, report);
  expectValueOfOracle(expected, stored, report);

  const sources = new Set(
    [...stored.values()]
      .flat()
      .flatMap((event) => (event.source ? [`${event.source.producer}/${event.source.id}`] : [])),
  );
  const ratio = sources.size / input.valid.length;
  report.note(
    `checked: wire events with a ledger effect ÷ unique valid events = ${ratio.toFixed(3)}`,
  );
  expect(ratio).toBe(1);
  const charges = [...stored.entries()].flatMap(([accountId, ledger]) =>
    ledger
      .filter((event) => event.type === 'GenerationCharged')
      .map((event) => `${accountId}/${(event as { generationId: string }).generationId}`),
  );
  report.note(
    `checked: ${charges.length} generations charged, ${charges.length - new Set(charges).size} of them twice`,
  );
  expect(new Set(charges).size).toBe(charges.length);

  const belowZero = eventsBelowZero(stored);
  report.note(`checked: ${belowZero} ledger events leave an account below zero`);
  expect(belowZero).toBe(0);

  const letters = await readTopic(kafka, topics.editorEventsDeadLetters, input.malformed.length);
  const listed = await credits(world, 'dlq', 'list', '--format', 'json');
  const rejected = JSON.parse(listed.stdout) as { copies: number; reason: string }[];
  // What was dead-lettered, by content: each malformed message, and nothing else. (A producer
  // retry across a lost leader can write one message at two offsets, and each is rejected.)
  const content = (key: string | null, value: string | Buffer | null) =>
    `${key ?? '(no key)'}\u241f${value === null ? '(no value)' : value.toString()}`;
  const malformed = new Set(input.malformed.map((m) => content(m.key, m.value)));
  const lettered = new Set(letters.map((letter) => content(letter.key, letter.value || null)));
  const origins = new Map<string, Set<string>>();
  for (const letter of letters) {
    const key = content(letter.key, letter.value || null);
    const origin = `${letter.headers['dlq-original-partition']}@${letter.headers['dlq-original-offset']}`;
    origins.set(key, (origins.get(key) ?? new Set()).add(origin));
  }
  const writtenTwice = [...origins.values()].filter((places) => places.size > 1).length;
  const reasons = new Map<string, number>();
  for (const row of rejected) reasons.set(row.reason, (reasons.get(row.reason) ?? 0) + 1);
  report.note(
    `checked: credits dlq list shows ${rejected.length} rejected messages (${[...reasons].map(([reason, count]) => `${reason} ${count}`).join(', ')}) for ${input.malformed.length} malformed ones sent, ${lettered.size} distinct (${writtenTwice} of them at more than one offset of the input topic); ${letters.length} dead letters on the topic (a crash before an offset commit writes some again)`,
  );
  expect([...lettered].filter((letter) => !malformed.has(letter))).toEqual([]);
  expect([...malformed].filter((message) => !lettered.has(message))).toEqual([]);
  expect(rejected.length).toBeGreaterThanOrEqual(input.malformed.length);
  expect(rejected.reduce((sum, row) => sum + row.copies, 0)).toBe(letters.length);

  await expectDecisionsPublished(kafka, topics.creditDecisions, input, report);
  await expectDueTimesIndexed(world, stored, report);
  await expectReconcileClean(world, report);
}

/**
 * The sweeper's index of due times is never late: each account with a hold or a grant still to
 * lapse has a due time recorded at or before the one its ledger gives (a crash or a lost answer
 * between the append and the index must not leave a hold waiting for the account's next event).
 */
async function expectDueTimesIndexed(
  world: FaultWorld,
  stored: ReadonlyMap<string, readonly CreditEvent[]>,
  report: FaultReport,
): Promise<void> {
  const decider = accountDecider(world.rules);
  const client = new Client({ connectionString: world.databaseUrl });
  await client.connect();
  let rows: { account_id: string; due_ms: string }[];
  try {
    ({ rows } = await client.query<{ account_id: string; due_ms: string }>(
      `SELECT account_id, (extract(epoch FROM due_at) * 1000)::bigint AS due_ms
         FROM projector_due_accounts WHERE account_id = ANY($1)`,
      [[...stored.keys()]],
    ));
  } finally {
    await client.end();
  }
  const indexed = new Map(rows.map((row) => [row.account_id, Number(row.due_ms)]));
  const late = [...stored].flatMap(([accountId, ledger]) => {
    const state = ledger.reduce(
      (folded, event) => decider.evolve(folded, event),
      decider.initialState,
    );
    const dueMs = nextDueMs(state);
    const recorded = indexed.get(accountId);
    return dueMs !== null && (recorded === undefined || recorded > dueMs) ? [accountId] : [];
  });
  report.note(
    `checked: ${late.length} accounts whose due time the sweeper's index has late or not at all${late.length > 0 ? `: ${late.slice(0, 3).join(', ')}` : ''}`,
  );
  expect(late).toEqual([]);
}

/**
 * The projector's producer: every generation request has its decision in credit-decisions, at
 * least once (a crash between the append and the publish sends it again, from the store).
 */
async function expectDecisionsPublished(
  kafka: ReturnType<typeof kafkaClient>,
  topic: string,
  input: FaultInput,
  report: FaultReport,
): Promise<void> {
  const requested = new Set(
    input.valid
      .filter((event) => event.type === 'GenerationRequested')
      .map((event) => `${event.subject}/${String(event.data.generationId)}`),
  );
  const messages = await readTopic(kafka, topic, requested.size);
  const published = messages.map(({ value }) => {
    const decision = JSON.parse(value) as { subject: string; data: { generationId: string } };
    return `${decision.subject}/${decision.data.generationId}`;
  });
  const decided = new Set(published);
  const missing = [...requested].filter((key) => !decided.has(key));
  report.note(
    `checked: ${requested.size} generations requested, ${missing.length} without a decision in ${topic} (${published.length} decision messages in all: each repeat of a request sends its decision again)${missing.length > 0 ? `, first: ${missing.slice(0, 3).join(', ')}` : ''}`,
  );
  expect(missing).toEqual([]);
}

/** Nothing acknowledged lost, nothing applied twice or unasked, every balance the oracle's. */
function expectHistoryKept(
  world: FaultWorld,
  input: FaultInput,
  stored: ReadonlyMap<string, readonly CreditEvent[]>,
  expected: ReadonlyMap<string, readonly CreditEvent[]>,
  report: FaultReport,
): void {
  world.history.close();
  const valid = new Set(input.valid.map((event) => `${event.source}/${event.id}`));
  const verdict = checkHistory(world.history.all, valid, stored, expected);
  report.note(
    `checked: ${describeVerdict(verdict, world.history.all.filter((o) => o.kind === 'publish').length)}`,
  );
  expect({ ...verdict, unseenOfUnknown: [] }).toEqual({
    lost: [],
    duplicate: [],
    unseen: [],
    unseenOfUnknown: [],
    balance: [],
  });
}

/**
 * Every decision the stored ledgers hold is the one the credit model (written apart from the
 * domain) makes of the same input: reasons, amounts, which grants paid, what lapsed when.
 */
function expectOutcomesOfModel(
  taken: readonly OracleStep[],
  stored: ReadonlyMap<string, readonly CreditEvent[]>,
  rules: CreditRules | undefined,
  report: FaultReport,
): void {
  const modelled = modelOutcomes(taken, rules);
  const actual = storedOutcomes(stored);
  const differing = [...modelled].filter(
    ([accountId, lines]) => (actual.get(accountId) ?? []).join('\n') !== lines.join('\n'),
  );
  for (const [accountId, lines] of differing.slice(0, 3)) {
    const ledger = actual.get(accountId) ?? [];
    const index = lines.findIndex((line, at) => line !== ledger[at]);
    report.note(
      `${accountId}: first difference from the credit model at ${index}:\n  stored ${ledger[index]}\n  model  ${lines[index]}`,
    );
  }
  report.note(
    `checked: ${modelled.size - differing.length} of ${modelled.size} accounts decided as the credit model decides`,
  );
  expect(differing.map(([accountId]) => accountId)).toEqual([]);
}

/**
 * Value, per currency: what the stored ledgers sold, recognised, lapsed, refunded and voided is
 * what the oracle's did, and what the stored accounts' grants are still worth is what those
 * movements leave deferred (no minor unit appears or vanishes).
 */
function expectValueOfOracle(
  expected: ReadonlyMap<string, readonly CreditEvent[]>,
  stored: ReadonlyMap<string, readonly CreditEvent[]>,
  report: FaultReport,
): void {
  const movements = (ledgers: Iterable<readonly CreditEvent[]>) => {
    const totals = tallyRevenue(
      [...ledgers].flat(),
      (event) => event,
      (_, currency) => currency,
    );
    return Object.fromEntries(
      [...totals]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([currency, { sums }]) => [currency, sums]),
    );
  };
  const storedMoves = movements(stored.values());
  const deferred: Record<string, number> = {};
  for (const ledger of stored.values())
    for (const grant of fold(ledger, initialAccountState).grants)
      if (grant.price)
        deferred[grant.price.currency] = (deferred[grant.price.currency] ?? 0) + grant.deferred;
  report.note(
    `checked: value per currency ${JSON.stringify(storedMoves)}, deferred ${JSON.stringify(deferred)}`,
  );
  expect(storedMoves).toEqual(movements(expected.values()));
  for (const [currency, move] of Object.entries(storedMoves))
    expect({ currency, deferred: deferredChange(move) }).toEqual({
      currency,
      deferred: deferred[currency] ?? 0,
    });
}

const credits = (world: FaultWorld, ...args: string[]) =>
  runCredits(args, { ...worldEnv(world), KAFKA_TOPIC_PREFIX: world.prefix });

async function expectReconcileClean(world: FaultWorld, report: FaultReport): Promise<void> {
  const service = await startQuotaService(world.prefix, worldEnv(world));
  try {
    let clean = false;
    let differences = '';
    // The service's read models catch up with the streams: reconcile until they have.
    const deadline = Date.now() + 60_000;
    while (!clean && Date.now() < deadline) {
      const run = await credits(world, 'reconcile');
      clean = run.code === 0;
      differences = run.stdout;
      if (!clean) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    report.note(
      `checked: credits reconcile ${clean ? 'clean' : `found differences:\n${differences.slice(0, 3_000)}`}`,
    );
    expect(clean).toBe(true);
  } finally {
    await service.process.stop('SIGTERM');
  }
}
