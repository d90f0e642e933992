import { Pool } from 'pg';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { millisOf } from '@credits/domain/instants';
import { STANDARD_PRICES, stateAt } from '@credits/domain';
import { topicNames } from '@credits/kafka';
import { balanceOf } from '../../apps/credits-cli/src/ledger/balance-at';
import {
  asMessages,
  kafkaClient,
  publish,
  publishInOrder,
  realisticMonth,
  projectorConsumed,
  wireEvent,
} from '../harness/editor-events';
import { oracleLedgers } from '../harness/ledger-oracle';
import { startNode } from '../harness/processes';
import { readModelsCaughtUp as caughtUp, runCredits } from '../harness/credits-cli';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

const databaseUrl = process.env.DATABASE_URL ?? '';
const kafka = kafkaClient('cli-tests');
const prefix = isolatedPrefix('cli');
const topics = topicNames(prefix);

const credits = (...args: string[]) => runCredits(args, { KAFKA_TOPIC_PREFIX: prefix });

const consumed = () => projectorConsumed(kafka, prefix);

const readModelsCaughtUp = () => caughtUp({ KAFKA_TOPIC_PREFIX: prefix });

describe('credits, the finance and ops command, against the real stores', () => {
  const events = realisticMonth({
    accounts: 6,
    events: 1_500,
    seed: 77,
    accountPrefix: `${prefix}agency`,
  });
  let projector: ProjectorProcess;
  let service: QuotaService;

  beforeAll(async () => {
    projector = await startProjector(prefix);
    service = await startQuotaService(prefix);
    await publishInOrder(kafka, prefix, asMessages(events));
    await readModelsCaughtUp();
  });
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
    await projector?.process.stop('SIGTERM');
  });

  it('statement: opening balance, every ledger line of the window with its source, closing balance', async () => {
    const account = `${prefix}agency-0`;
    const from = '2026-11-05T00:00:00Z';
    const to = '2026-11-20T00:00:00Z';
    const { code, stdout } = await credits(
      'statement',
      '--account',
      account,
      '--from',
      from,
      '--to',
      to,
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const statement = JSON.parse(stdout);
    const ledger = oracleLedgers(events).get(account) ?? [];
    const inWindow = ledger.filter(
      (event) => millisOf(event.at) >= millisOf(from) && millisOf(event.at) < millisOf(to),
    );
    expect(statement.lines.map((line: { type: string }) => line.type)).toEqual(
      inWindow.map((event) => event.type),
    );
    // Values in the account's one currency: what its grants were still worth.
    const valued = (atMs: number, asOfMs: number) => {
      const state = stateAt(ledger, atMs);
      const deferred = state.grants.reduce((sum, grant) => sum + grant.deferred, 0);
      return { ...balanceOf(state, asOfMs), deferred };
    };
    expect(statement.currency).toBe('EUR');
    expect(statement.opening).toEqual(valued(millisOf(from) - 1, millisOf(from)));
    expect(statement.closing).toEqual(valued(millisOf(to) - 1, millisOf(to)));
    // Each line's deferred balance follows from the one before and what the line moved.
    let deferred = statement.opening.deferred;
    for (const line of statement.lines) {
      deferred += line.sold + line.refunded - line.recognised - line.breakage - line.voided;
      expect(line.deferred).toBe(deferred);
    }
    expect(statement.lines.some((line: { recognised: number }) => line.recognised > 0)).toBe(true);
    const charged = statement.lines.find(
      (line: { type: string }) => line.type === 'GenerationCharged',
    );
    expect(charged).toMatchObject({
      priceVersion: '2026-01',
      kafka: expect.stringMatching(/editor-events\/\d+@\d+$/),
    });

    const table = await credits('statement', '--account', account, '--from', from, '--to', to);
    expect(table.stdout).toMatch(
      /^statement of .*, values in EUR\nopening: \d+ available, \d+ held, \d+ deferred/,
    );
    expect(table.stdout).toMatch(/closing: \d+ available, \d+ held, \d+ deferred$/);
  });

  it('balances: every account at an instant, from the history alone, as the pure fold says', async () => {
    const asOf = '2026-11-15T12:00:00Z';
    const { code, stdout } = await credits('balances', '--as-of', asOf, '--format', 'json');
    expect(code).toBe(0);
    const mine = (JSON.parse(stdout) as { accountId: string }[]).filter((row) =>
      row.accountId.startsWith(prefix),
    );
    const expected = [...oracleLedgers(events).entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([accountId, ledger]) => ({
        accountId,
        ...balanceOf(stateAt(ledger, millisOf(asOf)), millisOf(asOf)),
      }));
    expect(mine).toEqual(expected);
    const csv = await credits('balances', '--as-of', asOf, '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toBe('accountId,available,held');
  });

  it('reconcile: clean after the scenario; a tampered read model is named and exits 3', async () => {
    const clean = await credits('reconcile');
    expect([clean.code, clean.stdout]).toEqual([
      0,
      expect.stringMatching(/^reconciled: \d+ accounts/),
    ]);
    const pool = new Pool({ connectionString: databaseUrl, max: 1 });
    const account = `${prefix}agency-1`;
    try {
      await pool.query('UPDATE rm_balances SET held = held + 7 WHERE account_id = $1', [account]);
      const dirty = await credits('reconcile', '--format', 'json');
      expect(dirty.code).toBe(3);
      expect(JSON.parse(dirty.stdout)).toEqual([
        expect.objectContaining({ readModel: 'balances', accountId: account, what: 'held' }),
      ]);
    } finally {
      await pool.query('UPDATE rm_balances SET held = held - 7 WHERE account_id = $1', [account]);
      await pool.end();
    }
  });

  it('projections rebuild: killed mid-way, resumed, switched atomically, and the service keeps the new version current', async () => {
    const first = startNode(
      [
        'dist/apps/credits-cli/src/main.js',
        'projections',
        'rebuild',
        'ledger_lines',
        '--page-size',
        '5',
      ],
      {
        KAFKA_TOPIC_PREFIX: prefix,
      },
    );
    await first.waitForLine(/^rebuilding ledger_lines into version (\d+)/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.child.kill('SIGKILL');
    await first.exited;
    const resumed = await credits('projections', 'rebuild', 'ledger_lines');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^resuming ledger_lines into version \d+/);
    expect(resumed.stdout).toMatch(/switched ledger_lines to version \d+ \(.* events\/s\)/);

    // As billing's own producer publishes it: saying who it is.
    const late = {
      ...wireEvent(`${prefix}agency-2`, 'TopUpPurchased', '2026-11-29T00:00:00Z', {
        purchaseId: 'after-rebuild',
        credits: 4,
      }),
      publishedby: 'billing-system',
    };
    await publish(kafka, topics.billingEvents, asMessages([late]));
    await consumed();
    await readModelsCaughtUp();
    const lateLines = JSON.parse(
      (
        await credits(
          'statement',
          '--account',
          `${prefix}agency-2`,
          '--from',
          '2026-11-29T00:00:00Z',
          '--to',
          '2026-11-29T00:00:01Z',
          '--format',
          'json',
        )
      ).stdout,
    ).lines;
    expect(
      lateLines.filter((line: { sourceEventId: string }) => line.sourceEventId === late.id),
    ).toEqual([expect.objectContaining({ type: 'CreditsGranted', publishedBy: 'billing-system' })]);
    const status = JSON.parse((await credits('projections', 'status', '--format', 'json')).stdout);
    expect(
      status.find((row: { readModel: string }) => row.readModel === 'ledger_lines'),
    ).toMatchObject({ state: 'serving', eventsBehind: 0 });
    expect(
      status.find((row: { readModel: string }) => row.readModel === 'ledger_lines').version,
    ).toBeGreaterThan(1);
    expect((await credits('reconcile')).code).toBe(0);
  });

  it('dlq: lists each rejected message once with its reason and copies, shows one; a replay onto the right topic keeps the ids, so a replayed event is charged once', async () => {
    const account = `${prefix}agency-3`;
    // What the projector dead-letters for a top-up sent to editor-events, written twice.
    const valid = wireEvent(account, 'TopUpPurchased', '2026-11-28T00:00:00Z', {
      purchaseId: 'rescued',
      credits: 11,
    });
    const headers = {
      'dlq-reason': 'wrong_topic',
      'dlq-details': 'test',
      'dlq-original-topic': topics.editorEvents,
      'dlq-original-partition': '0',
      'dlq-original-offset': '0',
    };
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topics.editorEventsDeadLetters,
      // Twice, as a projector that crashed before committing the offset writes it.
      messages: [0, 1].map(() => ({ key: account, value: JSON.stringify(valid), headers })),
    });
    await producer.disconnect();
    await publish(kafka, topics.editorEvents, [{ key: account, value: '{"broken":' }]);
    await consumed();

    const listed = JSON.parse((await credits('dlq', 'list', '--format', 'json')).stdout) as {
      at: string;
      reason: string;
      copies: number;
    }[];
    expect(listed.map((row) => [row.reason, row.copies]).sort()).toEqual([
      ['invalid_json', 1],
      ['wrong_topic', 2],
    ]);
    const rescued = listed.find((row) => row.reason === 'wrong_topic')!;
    const shown = JSON.parse((await credits('dlq', 'show', '--at', rescued.at)).stdout);
    expect(shown.value).toBe(JSON.stringify(valid));

    const nowhere = await credits('dlq', 'replay', '--at', rescued.at, '--to', 'money-events');
    expect([nowhere.code, nowhere.stderr]).toEqual([
      2,
      expect.arrayContaining([
        expect.stringContaining('--to must be editor-events or billing-events'),
      ]),
    ]);
    for (let replay = 0; replay < 2; replay += 1) {
      const replayed = await credits('dlq', 'replay', '--at', rescued.at, '--to', 'billing-events');
      expect([replayed.code, replayed.stdout]).toEqual([
        0,
        `replayed 1 dead letter(s) onto ${topics.billingEvents}: ${rescued.at}`,
      ]);
    }
    await consumed();
    const pool = new Pool({ connectionString: databaseUrl, max: 1 });
    try {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS grants FROM es_events WHERE stream_name = $1 AND data->>'grantId' = 'top-up:rescued'`,
        [`account-${account}`],
      );
      expect(rows).toEqual([{ grants: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('what-if: the same prices change nothing; dearer 4K edits charge more and refuse some generations', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'what-if-'));
    const same = path.join(dir, 'same.json');
    const dearer = path.join(dir, 'dearer.json');
    writeFileSync(same, JSON.stringify(STANDARD_PRICES));
    writeFileSync(
      dearer,
      JSON.stringify({
        ...STANDARD_PRICES,
        version: 'dear',
        aiEdit: { ...STANDARD_PRICES.aiEdit, '4K': { generate: 5, accept: 20 } },
      }),
    );
    const window = [
      '--from',
      '2026-11-01T00:00:00Z',
      '--to',
      '2026-12-01T00:00:00Z',
      '--format',
      'json',
    ];
    const unchanged = JSON.parse(
      (await credits('what-if', '--price-book', same, ...window)).stdout,
    );
    expect(unchanged.total.difference).toBe(0);
    expect(unchanged.differentDecisions).toEqual([]);
    // Revenue too, per currency: the month's paid credits recognised the same under the same prices.
    expect(unchanged.revenue).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ currency: 'EUR', actualRecognised: expect.any(Number) }),
      ]),
    );
    for (const row of unchanged.revenue) expect(row.difference).toBe(0);
    expect(
      unchanged.revenue.find((row: { currency: string }) => row.currency === 'EUR')
        .actualRecognised,
    ).toBeGreaterThan(0);
    const mine = (report: { accounts: { accountId: string }[] }) =>
      report.accounts.filter((row) => row.accountId.startsWith(`${prefix}agency`));
    expect(mine(unchanged).length).toBeGreaterThan(0);
    const dear = JSON.parse((await credits('what-if', '--price-book', dearer, ...window)).stdout);
    expect(
      dear.differentDecisions.filter((row: { accountId: string }) =>
        row.accountId.startsWith(prefix),
      ).length,
    ).toBeGreaterThan(0);
    // Dearer 4K edits refuse some that were approved, which can leave credit for later ones.
    expect(dear.total.difference).not.toBe(0);
    expect(dear.revenue.some((row: { difference: number }) => row.difference !== 0)).toBe(true);
    const bad = await credits('what-if', '--price-book', path.join(dir, 'missing.json'), ...window);
    expect([bad.code, bad.stderr.join('\n')]).toEqual([
      2,
      expect.stringMatching(/cannot read the price book/),
    ]);
  });

  it.each([
    [
      ['statement', '--account', 'a', '--from', 'monday', '--to', '2026-11-02T00:00:00Z'],
      /--from .* RFC 3339/,
    ],
    [['balances'], /required option '--as-of/],
    [['balances', '--as-of', '2026-02-30T00:00:00Z'], /--as-of .* real instant/],
    [['balances', '--as-of', '2026-06-30T23:59:60Z'], /--as-of .* seconds 00-59/],
    [['balances', '--as-of', '2026-11-01T00:00:00Z', '--format', 'xml'], /--format/],
    [['projections', 'rebuild', 'nothing'], /no read model nothing/],
    [['frobnicate'], /unknown command/],
  ])('bad arguments %j: one clear line and exit 2', async (args, message) => {
    const { code, stderr } = await credits(...args);
    expect(code).toBe(2);
    expect(stderr.join('\n')).toMatch(message);
    expect(stderr.join('\n')).not.toMatch(/\n\s+at /);
  });

  it.each([
    'statement',
    'balances',
    'reconcile',
    'projections status',
    'projections rebuild',
    'dlq list',
    'dlq show',
    'dlq replay',
    'demo',
    'what-if',
    'catalog publish',
    'catalog show',
  ])('%s --help explains itself and exits 0', async (verb) => {
    const { code, stdout } = await credits(...verb.split(' '), '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: credits /);
  });
});
