import { availableCredits, heldCredits, type CreditEvent } from '@credits/domain';
import { millisOf } from '@credits/domain/instants';
import { inputTopicNames, topicNames } from '@credits/kafka';
import {
  asMessages,
  kafkaClient,
  publish,
  publishInOrder,
  publishInput,
  readTopic,
  realisticMonth,
  seededRandom,
  projectorConsumed,
  wireEvent,
  type RawMessage,
  type WireEvent,
} from '../harness/editor-events';
import {
  oracleLedgers,
  stateOf,
  storedInterleaving,
  storedLedgers,
} from '../harness/ledger-oracle';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';

const databaseUrl = process.env.DATABASE_URL ?? '';
const kafka = kafkaClient('projector-tests');
const running: ProjectorProcess[] = [];

async function projector(prefix: string, env: NodeJS.ProcessEnv = {}): Promise<ProjectorProcess> {
  const started = await startProjector(prefix, env);
  running.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.process.stop('SIGTERM')));
});

const consumed = (prefix: string) => projectorConsumed(kafka, prefix);

function accountsOf(events: readonly WireEvent[]): Set<string> {
  return new Set(events.map((event) => event.subject));
}

/**
 * The stored ledgers equal the oracle's fold of the events in the order the projector took them:
 * each topic's in its order, the two topics interleaved as they came.
 */
async function expectLedgersToEqualOracle(events: readonly WireEvent[]): Promise<void> {
  const actual = await storedLedgers(databaseUrl, accountsOf(events));
  const taken = storedInterleaving(events, actual);
  expect(taken.outOfOrder).toEqual([]);
  const expected = oracleLedgers(taken.events);
  expect(actual.size).toBe(expected.size);
  for (const [accountId, ledger] of expected)
    expect([accountId, actual.get(accountId)]).toEqual([accountId, ledger]);
}

function generationsChargedTwice(ledgers: Map<string, CreditEvent[]>): string[] {
  const repeated: string[] = [];
  for (const [accountId, ledger] of ledgers) {
    const charged = ledger.filter((event) => event.type === 'GenerationCharged');
    const ids = charged.map((event) => (event as { generationId: string }).generationId);
    for (const id of ids)
      if (ids.indexOf(id) !== ids.lastIndexOf(id)) repeated.push(`${accountId}/${id}`);
  }
  return repeated;
}

describe('credit projector on the real broker and event store', () => {
  it('given the FAQ as wire events, then the ledger, the balance and the decisions are what the FAQ says', async () => {
    const prefix = isolatedPrefix('faq');
    const topics = topicNames(prefix);
    const account = `${prefix}agency`;
    const t = (hours: number) =>
      new Date(Date.parse('2026-11-01T08:00:00Z') + hours * 3_600_000).toISOString();
    const events = [
      wireEvent(account, 'AllowanceGranted', t(0), {
        plan: 'pro',
        credits: 20,
        periodStart: '2026-11-01T00:00:00Z',
        periodEnd: '2026-12-01T00:00:00Z',
      }),
      wireEvent(account, 'GenerationRequested', t(1), {
        generationId: 'staging-1k',
        editType: 'virtual_staging',
        resolution: '1K',
      }),
      wireEvent(account, 'EditAccepted', t(2), { generationId: 'staging-1k' }),
      wireEvent(account, 'GenerationRequested', t(3), {
        generationId: 'twilight-4k',
        editType: 'twilight',
        resolution: '4K',
      }),
      wireEvent(account, 'EditRejected', t(4), { generationId: 'twilight-4k' }),
      wireEvent(account, 'GenerationRequested', t(5), { generationId: 'crop', editType: 'crop' }),
      wireEvent(account, 'EditAccepted', t(6), { generationId: 'crop' }),
      wireEvent(account, 'GenerationRequested', t(7), {
        generationId: 'removal-2k',
        editType: 'object_removal',
        resolution: '2K',
      }),
      // Neither accepted nor rejected: its hold lapses 24 h later, before this top-up.
      wireEvent(account, 'TopUpPurchased', t(40), { purchaseId: 'top-up-1', credits: 10 }),
      wireEvent(account, 'CreditsAdjusted', t(41), {
        adjustmentId: 'refund-reversal',
        credits: -23,
        reason: 'chargeback',
      }),
      wireEvent(account, 'GenerationRequested', t(42), {
        generationId: 'inpaint-1k',
        editType: 'inpainting',
        resolution: '1K',
      }),
    ];
    const running = await projector(prefix);
    await publishInOrder(kafka, prefix, asMessages(events));

    await expectLedgersToEqualOracle(events);
    const [ledger] = (await storedLedgers(databaseUrl, [account])).values();
    expect(ledger?.map((event) => event.type)).toEqual([
      'CreditsGranted',
      'GenerationCharged',
      'EditKept',
      'GenerationCharged',
      'EditDiscarded',
      'GenerationCharged',
      // The free crop holds nothing and opens no hold: keeping it changes nothing.
      'EventIgnored',
      'GenerationCharged',
      'HoldLapsed',
      'CreditsGranted',
      'CreditsAdjusted',
      'GenerationRefused',
    ]);
    const state = stateOf(ledger ?? []);
    expect(availableCredits(state, millisOf(t(42)))).toBe(1);
    expect(heldCredits(state)).toBe(0);
    expect(state.totals).toEqual({ granted: 30, charged: 6, lapsed: 0, removed: 23 });

    const decisions = (await readTopic(kafka, topics.creditDecisions, 5)).map((m) =>
      JSON.parse(m.value),
    );
    expect(decisions.map((d) => [d.type, d.data.generationId])).toEqual([
      ['GenerationApproved', 'staging-1k'],
      ['GenerationApproved', 'twilight-4k'],
      ['GenerationApproved', 'crop'],
      ['GenerationApproved', 'removal-2k'],
      ['GenerationRefused', 'inpaint-1k'],
    ]);
    expect(decisions[4].data).toEqual({
      generationId: 'inpaint-1k',
      required: 3,
      available: 1,
      reason: 'insufficient_credits',
    });
    expect(decisions.every((d) => d.subject === account && d.specversion === '1.0')).toBe(true);

    const metrics = await (await fetch(running.metricsUrl)).text();
    expect(metrics).toMatch(
      /credits_projector_wire_events_total\{type="GenerationRequested",outcome="applied"\} 5/,
    );
    expect(metrics).toMatch(/credits_projector_ledger_events_total\{type="HoldLapsed"\} 1/);
    expect(metrics).toContain('credits_projector_append_seconds_bucket');
    expect(metrics).toContain('credits_projector_consumer_lag');
  });

  it('given a generation taken before the top-up it needed, then it is refused though the top-up is older, and the same request again after it is approved', async () => {
    const prefix = isolatedPrefix('order');
    const topics = topicNames(prefix);
    const account = `${prefix}agency`;
    const topUp = wireEvent(account, 'TopUpPurchased', '2026-11-02T09:00:00Z', {
      purchaseId: 'p1',
      credits: 10,
    });
    const request = (id: string, time: string) =>
      wireEvent(account, 'GenerationRequested', time, {
        generationId: id,
        editType: 'twilight',
        resolution: '1K',
      });
    await projector(prefix);
    // Decisions are made in processing order, not in event time: billing's top-up, stamped an
    // hour earlier, is on billing-events and reaches the projector after the request.
    await publishInOrder(kafka, prefix, asMessages([request('g1', '2026-11-02T10:00:00Z'), topUp]));
    // A worker told "refused" asks again, with a new generation id, and finds the credits.
    await publishInOrder(kafka, prefix, asMessages([request('g2', '2026-11-02T10:05:00Z')]));

    const decisions = (await readTopic(kafka, topics.creditDecisions, 2)).map(
      (m) => JSON.parse(m.value) as { type: string; data: { generationId: string } },
    );
    expect(decisions.map((d) => [d.type, d.data.generationId])).toEqual([
      ['GenerationRefused', 'g1'],
      ['GenerationApproved', 'g2'],
    ]);
  });

  it('given every message delivered twice, some at once and some much later, then each is charged once and every decision repeats with the same id', async () => {
    const prefix = isolatedPrefix('dup');
    const topics = topicNames(prefix);
    const events = realisticMonth({
      accounts: 15,
      events: 600,
      seed: 11,
      accountPrefix: `${prefix}acct`,
    });
    const random = seededRandom(5);
    const adjacent: WireEvent[] = [];
    const later: WireEvent[] = [];
    for (const event of events) {
      adjacent.push(event);
      (random() < 0.5 ? adjacent : later).push(event);
    }
    await projector(prefix);
    await publishInput(kafka, prefix, asMessages([...adjacent, ...later]));
    await consumed(prefix);

    await expectLedgersToEqualOracle(events);
    const stored = await storedLedgers(databaseUrl, accountsOf(events));
    expect(generationsChargedTwice(stored)).toEqual([]);

    const requests = events.filter((event) => event.type === 'GenerationRequested').length;
    const decisions = (await readTopic(kafka, topics.creditDecisions, requests * 2)).map((m) =>
      JSON.parse(m.value),
    );
    const byGeneration = new Map<string, Set<string>>();
    for (const decision of decisions) {
      const key = `${decision.subject}/${decision.data.generationId}`;
      byGeneration.set(key, (byGeneration.get(key) ?? new Set()).add(JSON.stringify(decision)));
    }
    expect(byGeneration.size).toBe(requests);
    expect([...byGeneration.values()].filter((copies) => copies.size !== 1)).toEqual([]);
  });

  it('given poison messages among valid ones, then each goes to the dead-letter topic unchanged with its reason and origin, and later valid messages are still applied', async () => {
    const prefix = isolatedPrefix('dlq');
    const topics = topicNames(prefix);
    const account = `${prefix}acct`;
    const valid = realisticMonth({
      accounts: 1,
      events: 40,
      seed: 3,
      accountPrefix: `${prefix}acct`,
    });
    const good = valid[0] as WireEvent;
    const poison: (RawMessage & { reason: string })[] = [
      { key: account, value: '{"specversion": "1.0", ', reason: 'invalid_json' },
      {
        key: account,
        value: JSON.stringify({ ...good, id: 'x1', type: 'GenerationTeleported' }),
        reason: 'unknown_type',
      },
      {
        key: account,
        value: JSON.stringify({ ...good, id: 'x2', data: { plan: 'pro' } }),
        reason: 'invalid_event',
      },
      { key: 'someone-else', value: JSON.stringify({ ...good, id: 'x3' }), reason: 'key_mismatch' },
      {
        key: account,
        value: JSON.stringify({ ...good, id: 'x4', time: '2026-06-30T23:59:60Z' }),
        reason: 'invalid_time',
      },
      {
        key: account,
        value: JSON.stringify({ ...good, id: 'x5', time: '2026-02-30T10:00:00Z' }),
        reason: 'invalid_time',
      },
      {
        // Valid by the contract, but PostgreSQL's jsonb cannot hold a NUL: the store refuses it.
        key: good.subject,
        value: JSON.stringify({
          ...good,
          id: 'x6',
          type: 'GenerationRequested',
          data: { generationId: 'nul\u0000', editType: 'twilight', resolution: '1K' },
        }),
        reason: 'undecidable',
      },
      { key: account, value: Buffer.alloc(70_000, 0x20), reason: 'oversize' },
      { key: account, value: null, reason: 'invalid_json' },
    ];
    const messages: RawMessage[] = [];
    valid.forEach((event, index) => {
      messages.push(...asMessages([event]));
      const bad = poison[index];
      if (bad) messages.push({ key: bad.key, value: bad.value });
    });
    // And each input topic given the other's type: the producer's mistake, or a forbidden write.
    const topUp = wireEvent(account, 'TopUpPurchased', good.time, {
      purchaseId: 'x7',
      credits: 500,
    });
    const request = wireEvent(account, 'GenerationRequested', good.time, {
      generationId: 'x8',
      editType: 'twilight',
      resolution: '1K',
    });
    await projector(prefix);
    await publishInput(kafka, prefix, messages);
    await publish(kafka, topics.editorEvents, asMessages([topUp]));
    await publish(kafka, topics.billingEvents, asMessages([request]));
    await consumed(prefix);

    await expectLedgersToEqualOracle(valid);
    const wrongTopic = [topUp, request].length;
    const letters = await readTopic(
      kafka,
      topics.editorEventsDeadLetters,
      poison.length + wrongTopic,
    );
    expect(letters.map((letter) => letter.headers['dlq-reason']).sort()).toEqual(
      [...poison.map((p) => p.reason), 'wrong_topic', 'wrong_topic'].sort(),
    );
    const misplaced = letters.filter((letter) => letter.headers['dlq-reason'] === 'wrong_topic');
    expect(
      misplaced
        .map((letter) => [letter.headers['dlq-original-topic'], letter.headers['dlq-details']])
        .sort(),
    ).toEqual([
      [topics.billingEvents, 'GenerationRequested belongs on editor-events, not billing-events'],
      [topics.editorEvents, 'TopUpPurchased belongs on billing-events, not editor-events'],
    ]);
    for (const letter of letters) {
      expect(inputTopicNames(topics)).toContain(letter.headers['dlq-original-topic']);
      expect(letter.headers['dlq-original-offset']).toMatch(/^\d+$/);
      expect(letter.headers['dlq-details']?.length).toBeGreaterThan(0);
    }
    const keyMismatch = letters.find((letter) => letter.headers['dlq-reason'] === 'key_mismatch');
    expect(keyMismatch?.key).toBe('someone-else');
    expect(keyMismatch?.value).toBe(poison[3]?.value);
    const leapSecond = letters.find((letter) => letter.value === poison[4]?.value);
    expect(leapSecond?.headers['dlq-details']).toMatch(/^time must be an RFC 3339 date-time/);
    const refused = letters.find((letter) => letter.headers['dlq-reason'] === 'undecidable');
    expect(refused?.headers['dlq-details']).toMatch(
      // Its generation id holds a NUL, which no claim (and no PostgreSQL text) can hold.
      /^InvalidAppendError: a claim must be 1 to 1000 characters of text with no NUL: "generation\\u001fnul\\u0000"/,
    );
  });

  it('given a projector killed with SIGKILL mid-stream, when restarted, then the ledgers equal the pure fold of the unique input', async () => {
    const prefix = isolatedPrefix('kill');
    const topics = topicNames(prefix);
    const events = realisticMonth({
      accounts: 40,
      events: 4_000,
      seed: 21,
      accountPrefix: `${prefix}acct`,
    });
    const first = await projector(prefix);
    await publishInput(kafka, prefix, asMessages(events));
    const deadline = Date.now() + 30_000;
    while (
      (await storedLedgers(databaseUrl, accountsOf(events))).size < 10 &&
      Date.now() < deadline
    )
      await new Promise((resolve) => setTimeout(resolve, 20));
    first.process.child.kill('SIGKILL');
    await first.process.exited;
    const appendedBeforeKill = [
      ...(await storedLedgers(databaseUrl, accountsOf(events))).values(),
    ].flat().length;
    const total = [...oracleLedgers(events).values()].flat().length;
    // The kill must land mid-stream, or this test proves nothing about recovery.
    expect(appendedBeforeKill).toBeLessThan(total);
    console.log(`killed after ${appendedBeforeKill} of ${total} ledger events`);

    await projector(prefix);
    await consumed(prefix);
    await expectLedgersToEqualOracle(events);
    // Decisions are published after the append: a kill between the two must not lose one.
    const requests = events.filter((event) => event.type === 'GenerationRequested');
    const decisions = await readTopic(kafka, topics.creditDecisions, requests.length);
    const decided = new Set(decisions.map((m) => JSON.parse(m.value).data.generationId));
    expect(
      requests.filter((r) => !decided.has(r.data.generationId)).map((r) => r.data.generationId),
    ).toEqual([]);
  });

  it('given two projectors in one group and a forced rebalance, then nothing is charged twice and the ledgers equal the oracle', async () => {
    const prefix = isolatedPrefix('pair');
    const events = realisticMonth({
      accounts: 40,
      events: 8_000,
      seed: 33,
      accountPrefix: `${prefix}acct`,
    });
    const total = [...oracleLedgers(events).values()].flat().length;
    const appended = async () =>
      [...(await storedLedgers(databaseUrl, accountsOf(events))).values()].flat().length;
    const [first] = await Promise.all([projector(prefix), projector(prefix)]);
    const publishing = publishInput(kafka, prefix, asMessages(events));
    while ((await appended()) < total / 5) await new Promise((resolve) => setTimeout(resolve, 20));
    // The first member leaves mid-stream: its partitions move to the second.
    await first!.process.stop('SIGTERM');
    const appendedWhenFirstLeft = await appended();
    await publishing;
    console.log(`first projector left after ${appendedWhenFirstLeft} of ${total} ledger events`);
    expect(appendedWhenFirstLeft).toBeLessThan(total);
    await consumed(prefix);

    await expectLedgersToEqualOracle(events);
    expect(generationsChargedTwice(await storedLedgers(databaseUrl, accountsOf(events)))).toEqual(
      [],
    );
  });

  it('given an idle account with a hold past its timeout, then the sweeper records the lapse without another event', async () => {
    const prefix = isolatedPrefix('sweep');
    const account = `${prefix}idle`;
    const events = [
      wireEvent(account, 'TopUpPurchased', '2026-11-02T09:00:00Z', {
        purchaseId: 'p1',
        credits: 10,
      }),
      wireEvent(account, 'GenerationRequested', '2026-11-02T10:00:00Z', {
        generationId: 'g1',
        editType: 'twilight',
        resolution: '2K',
      }),
    ];
    await projector(prefix, { PROJECTOR_SWEEP_INTERVAL_MS: '300' });
    await publishInOrder(kafka, prefix, asMessages(events));
    const deadline = Date.now() + 20_000;
    let ledger: CreditEvent[] = [];
    while (!ledger.some((event) => event.type === 'HoldLapsed') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ledger = (await storedLedgers(databaseUrl, [account])).get(account) ?? [];
    }
    expect(ledger.at(-1)).toMatchObject({
      type: 'HoldLapsed',
      generationId: 'g1',
      at: '2026-11-03T10:00:00.000Z',
      released: 2,
    });
    expect(availableCredits(stateOf(ledger), Date.now())).toBe(9);
  });
});
