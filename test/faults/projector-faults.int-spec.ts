import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import {
  availableCredits,
  evolve,
  initialAccountState,
  millisOf,
  type CreditEvent,
} from '@credits/domain';
import { topicNames } from '@credits/kafka';
import {
  asMessages,
  kafkaClient,
  publish,
  readTopic,
  realisticMonth,
  seededRandom,
  waitUntilConsumed,
  type RawMessage,
  type WireEvent,
} from '../harness/editor-events';
import { oracleLedgers, storedLedgers } from '../harness/ledger-oracle';
import { startCommand } from '../harness/processes';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService } from '../harness/quota-service';

/**
 * Faults with an oracle: the pure fold of the unique input. While editor events flow, each
 * delivered one to three times and interleaved with malformed ones, two projector processes
 * share the partitions and are killed with SIGKILL at random points and restarted. Afterwards
 * every ledger must equal the oracle's. FAULTS_EVENTS and FAULTS_KILLS size it (npm run
 * test:faults runs the full size; npm test a bounded one).
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 5_000);
const KILLS = Number(process.env.FAULTS_KILLS ?? 2);
const MALFORMED = Math.max(50, Math.round(EVENTS / 50));
const databaseUrl = process.env.DATABASE_URL ?? '';
const report: string[] = [];
const started = Date.now();
const note = (line: string) =>
  report.push(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

/** Mutations of valid messages, as fast-check makes them: broken JSON, wrong fields, wrong keys. */
function malformedMessages(valid: readonly WireEvent[], count: number): RawMessage[] {
  const mutation = fc.oneof(
    fc.constant((event: WireEvent): RawMessage => ({
      key: event.subject,
      value: JSON.stringify(event).slice(0, -7),
    })),
    fc.constant((event: WireEvent): RawMessage => ({
      key: event.subject,
      value: JSON.stringify({ ...event, type: 'GenerationTeleported', id: `m-${event.id}` }),
    })),
    fc.constant((event: WireEvent): RawMessage => ({
      key: event.subject,
      value: JSON.stringify({ ...event, id: `m-${event.id}`, time: 'yesterday' }),
    })),
    fc.constant((event: WireEvent): RawMessage => ({
      key: event.subject,
      value: JSON.stringify({
        ...event,
        id: `m-${event.id}`,
        data: { ...event.data, credits: -1, generationId: 42 },
      }),
    })),
    fc.constant((event: WireEvent): RawMessage => ({
      key: `not-${event.subject}`,
      value: JSON.stringify({ ...event, id: `m-${event.id}` }),
    })),
    fc.constant((event: WireEvent): RawMessage => ({ key: event.subject, value: null })),
  );
  return fc
    .sample(fc.tuple(fc.constantFrom(...valid), mutation), { numRuns: count, seed: 17 })
    .map(([event, mutate]) => mutate(event));
}

/** Each valid message one to three times, repeats right after or a little later, as retries make them. */
function withRedeliveries(messages: readonly RawMessage[], random: () => number): RawMessage[] {
  const out: RawMessage[] = [];
  const later: RawMessage[] = [];
  for (const message of messages) {
    out.push(message);
    const extra = Math.floor(random() * 3);
    for (let copy = 0; copy < extra; copy += 1) (random() < 0.5 ? out : later).push(message);
    if (later.length > 0 && random() < 0.2) out.push(later.shift() as RawMessage);
  }
  return [...out, ...later];
}

async function appendedLedgerEvents(accounts: Set<string>): Promise<number> {
  return [...(await storedLedgers(databaseUrl, accounts)).values()].flat().length;
}

describe('credit projector under faults, checked against the oracle', () => {
  afterAll(() => {
    console.log(
      `fault run report (${EVENTS.toLocaleString('en')} events, ${KILLS} kills):\n${report.join('\n')}`,
    );
  });

  it('SIGKILLs of two projectors sharing the partitions, redeliveries and malformed messages: ledgers equal the oracle, nothing charged twice, every malformed message dead-lettered, nothing below zero, reconcile clean', async () => {
    const prefix = isolatedPrefix('faults');
    const topics = topicNames(prefix);
    const kafka = kafkaClient('faults');
    const random = seededRandom(1234);
    const valid = realisticMonth({
      accounts: Math.max(20, Math.round(EVENTS / 100)),
      events: EVENTS,
      seed: 4321,
      accountPrefix: `${prefix}acct`,
    });
    const accounts = new Set(valid.map((event) => event.subject));
    const malformed = malformedMessages(valid, MALFORMED);
    const delivered = withRedeliveries(asMessages(valid), random);
    const stream: RawMessage[] = [];
    let next = 0;
    for (const message of delivered) {
      stream.push(message);
      if (next < malformed.length && random() < malformed.length / delivered.length + 0.01)
        stream.push(malformed[next++] as RawMessage);
    }
    stream.push(...malformed.slice(next));
    note(
      `input: ${valid.length} unique valid events over ${accounts.size} accounts, delivered as ${delivered.length} messages (1-3 times each), with ${malformed.length} malformed messages interleaved`,
    );

    const projectors: ProjectorProcess[] = [
      await startProjector(prefix),
      await startProjector(prefix),
    ];
    note('started two projector processes in one consumer group');
    const publishing = publish(kafka, topics.editorEvents, stream);
    const total = [...oracleLedgers(valid).values()].flat().length;
    for (let kill = 1; kill <= KILLS; kill += 1) {
      const threshold = Math.round((total * kill) / (KILLS + 1));
      while ((await appendedLedgerEvents(accounts)) < threshold)
        await new Promise((resolve) => setTimeout(resolve, 25));
      const victim = Math.floor(random() * projectors.length);
      projectors[victim]!.process.child.kill('SIGKILL');
      await projectors[victim]!.process.exited;
      note(
        `kill ${kill}: SIGKILL to projector ${victim} after ${await appendedLedgerEvents(accounts)} of ${total} ledger events; restarting it`,
      );
      projectors[victim] = await startProjector(prefix);
    }
    await publishing;
    const admin = kafka.admin();
    await admin.connect();
    await waitUntilConsumed(admin, `${prefix}credit-projector`, topics.editorEvents, 300_000);
    await admin.disconnect();
    note('every offset committed');

    const expected = oracleLedgers(valid);
    const stored = await storedLedgers(databaseUrl, accounts);
    let mismatched = 0;
    // Stored as jsonb, whose key order is its own: compare values, not texts.
    const plain = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as unknown;
    for (const [accountId, ledger] of expected)
      if (!isDeepStrictEqual(plain(stored.get(accountId)), plain(ledger))) mismatched += 1;
    note(
      `checked: ${expected.size - mismatched} of ${expected.size} account ledgers equal the oracle's`,
    );
    expect(mismatched).toBe(0);

    const sources = new Set(
      [...stored.values()]
        .flat()
        .flatMap((event) => (event.source ? [`${event.source.producer}/${event.source.id}`] : [])),
    );
    const ratio = sources.size / valid.length;
    note(`checked: wire events with a ledger effect ÷ unique valid events = ${ratio.toFixed(3)}`);
    expect(ratio).toBe(1);
    const charges = [...stored.entries()].flatMap(([accountId, ledger]) =>
      ledger
        .filter((event) => event.type === 'GenerationCharged')
        .map((event) => `${accountId}/${(event as { generationId: string }).generationId}`),
    );
    note(
      `checked: ${charges.length} generations charged, ${charges.length - new Set(charges).size} of them twice`,
    );
    expect(new Set(charges).size).toBe(charges.length);

    let belowZero = 0;
    for (const ledger of stored.values()) {
      let state = initialAccountState;
      for (const event of ledger as CreditEvent[]) {
        state = evolve(state, event);
        if (availableCredits(state, millisOf(event.at)) < 0) belowZero += 1;
      }
    }
    note(`checked: ${belowZero} ledger events leave an account below zero`);
    expect(belowZero).toBe(0);

    const letters = await readTopic(kafka, topics.editorEventsDeadLetters, malformed.length);
    const origins = new Set(
      letters.map(
        (letter) =>
          `${letter.headers['dlq-original-partition']}@${letter.headers['dlq-original-offset']}`,
      ),
    );
    note(
      `checked: ${origins.size} distinct malformed messages dead-lettered (${letters.length} dead letters: a kill before a commit repeats some) of ${malformed.length} sent`,
    );
    expect(origins.size).toBe(malformed.length);

    await Promise.all(projectors.map((projector) => projector.process.stop('SIGTERM')));
    const service = await startQuotaService(prefix);
    try {
      let clean = false;
      const deadline = Date.now() + 60_000;
      while (!clean && Date.now() < deadline) {
        const run = startCommand('node', ['dist/apps/credits-cli/src/main.js', 'reconcile'], {
          KAFKA_TOPIC_PREFIX: prefix,
        });
        clean = (await run.exited).code === 0;
        if (!clean) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      note(`checked: credits reconcile ${clean ? 'clean' : 'found differences'}`);
      expect(clean).toBe(true);
    } finally {
      await service.process.stop('SIGTERM');
    }
  }, 900_000);
});
