import { Pool } from 'pg';
import { topicNames } from '@credits/kafka';
import { REVENUE_REPORT_COLUMNS } from '@credits/read-models';
import {
  asMessages,
  kafkaClient,
  projectorConsumed,
  publish,
  publishInOrder,
  readTopic,
  wireEvent,
} from '../harness/editor-events';
import { readModelsCaughtUp as caughtUp, runCredits } from '../harness/credits-cli';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';
import { workedMonth } from '../../apps/credits-cli/src/demo/worked-month';

/** The worked month's revenue by day (EUR cents): the README's table. */
const WORKED_MONTH_BY_DAY = [
  ['2026-11-01', 0, 3_000, 0, 0, 0, 0, 3_000],
  ['2026-11-02', 3_000, 4_000, 0, 0, 0, 0, 7_000],
  ['2026-11-03', 7_000, 0, 1_200, 0, 0, 0, 5_800],
  ['2026-11-05', 5_800, 0, 0, 0, 300, 0, 6_100],
  ['2026-11-06', 6_100, 0, 200, 0, 0, 0, 5_900],
  ['2026-11-20', 5_900, 2_000, 0, 0, 0, 0, 7_900],
  ['2026-11-25', 7_900, 0, 0, 1_900, 0, 0, 6_000],
  ['2026-11-26', 6_000, 0, 720, 0, 0, 0, 5_280],
  ['2026-11-28', 5_280, 0, 0, 0, 0, 2_000, 3_280],
] as const;

const kafka = kafkaClient('revenue-tests');
const prefix = isolatedPrefix('revenue');
const topics = topicNames(prefix);
const credits = (...args: string[]) => runCredits(args, { KAFKA_TOPIC_PREFIX: prefix });
const account = `${prefix}worked`;
// The columns after the currency, as the README's table shows them.
const asRow = (row: Record<string, unknown>) =>
  REVENUE_REPORT_COLUMNS.slice(1).map((column) => row[column]);

const readModelsCaughtUp = () => caughtUp({ KAFKA_TOPIC_PREFIX: prefix });

describe('what credits are worth: Kafka in, ledger, revenue_daily, CLI and HTTP out', () => {
  let projector: ProjectorProcess;
  let service: QuotaService;

  beforeAll(async () => {
    projector = await startProjector(prefix);
    service = await startQuotaService(prefix);
    await publishInOrder(kafka, prefix, asMessages(workedMonth(account)));
    await readModelsCaughtUp();
  });
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
    await projector?.process.stop('SIGTERM');
  });

  it('given the worked month, then credits revenue by day prints the README table, every row reconciling', async () => {
    const { code, stdout } = await credits(
      'revenue',
      '--from',
      '2026-11-01',
      '--to',
      '2026-12-01',
      '--account',
      account,
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.rows.map(asRow)).toEqual(WORKED_MONTH_BY_DAY);
    expect(report.rows.every((row: { currency: string }) => row.currency === 'EUR')).toBe(true);
    expect(report.totals.map(asRow)).toEqual([
      ['total', 0, 9_000, 2_120, 1_900, 300, 2_000, 3_280],
    ]);
    expect(report.discrepancies).toEqual([]);

    const month = JSON.parse(
      (
        await credits(
          ...['revenue', '--from', '2026-11-01', '--to', '2026-12-01', '--account', account],
          ...['--by', 'month', '--format', 'json'],
        )
      ).stdout,
    );
    expect(month.rows.map(asRow)).toEqual([['2026-11', 0, 9_000, 2_120, 1_900, 300, 2_000, 3_280]]);
    // The second half of the month opens with what the first half closed with.
    const late = JSON.parse(
      (
        await credits(
          ...['revenue', '--from', '2026-11-21', '--to', '2026-12-01', '--account', account],
          ...['--by', 'month', '--format', 'json'],
        )
      ).stdout,
    );
    expect(late.rows.map(asRow)).toEqual([['2026-11', 7_900, 0, 720, 1_900, 0, 2_000, 3_280]]);
    const csv = await credits(
      ...['revenue', '--from', '2026-11-01', '--to', '2026-12-01', '--account', account],
      ...['--format', 'csv'],
    );
    expect(csv.stdout.split('\n')[0]).toBe(
      'currency,period,openingDeferred,sold,recognised,breakage,refunded,voided,closingDeferred',
    );
  });

  it('given the worked month, then GET /finance/revenue gives finance the same figures, by account too; other roles get 403 and a bad period a 400 naming it', async () => {
    const query = `from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&account=${account}`;
    const byDay = await service.call('finance', 'GET', `/finance/revenue?${query}`);
    expect(byDay.status).toBe(200);
    expect(byDay.body.rows.map(asRow)).toEqual(WORKED_MONTH_BY_DAY);
    const byAccount = await service.call('finance', 'GET', `/finance/revenue?${query}&by=account`);
    expect(byAccount.body.rows.map(asRow)).toEqual([
      [account, 0, 9_000, 2_120, 1_900, 300, 2_000, 3_280],
    ]);
    expect((await service.call('worker', 'GET', `/finance/revenue?${query}`)).status).toBe(403);
    expect((await service.call('billing', 'GET', `/finance/revenue?${query}`)).status).toBe(403);
    const midday = await service.call(
      'finance',
      'GET',
      '/finance/revenue?from=2026-11-01T12:00:00Z&to=2026-12-01T00:00:00Z',
    );
    expect([midday.status, midday.body.details]).toEqual([
      400,
      [expect.stringContaining('from and to must be UTC midnights')],
    ]);
    const noFrom = await service.call('finance', 'GET', '/finance/revenue?to=2026-12-01T00:00:00Z');
    expect([noFrom.status, noFrom.body.details]).toEqual([400, [expect.stringMatching(/^from /)]]);
  });

  it('given the worked month, then the ledger shows what each refund, lapse and void moved, and reconcile is clean', async () => {
    const reconcile = await credits('reconcile', '--format', 'json');
    expect([reconcile.code, reconcile.stdout]).toEqual([0, '[]']);
    const statement = JSON.parse(
      (
        await credits(
          ...['statement', '--account', account, '--from', '2026-11-01T00:00:00Z'],
          ...['--to', '2026-12-01T00:00:00Z', '--format', 'json'],
        )
      ).stdout,
    );
    expect(
      statement.lines
        .filter((line: { type: string }) =>
          ['GenerationRefunded', 'CreditsExpired', 'CreditsVoided'].includes(line.type),
        )
        .map((line: { type: string; credits: number }) => [line.type, line.credits]),
    ).toEqual([
      ['GenerationRefunded', 3],
      ['CreditsExpired', -19],
      ['CreditsVoided', -20],
    ]);
  });

  it('given a revenue row tampered with, then credits revenue exits 3, the route answers 500 and reconcile names the row', async () => {
    const pool = new Pool({ connectionString: process.env.DATABASE_URL ?? '', max: 1 });
    const tamper = (by: number) =>
      pool.query(
        `UPDATE rm_revenue_daily SET closing_deferred = closing_deferred + $2
          WHERE account_id = $1 AND day = date '2026-11-26'`,
        [account, by],
      );
    try {
      await tamper(5);
      // A period opening on the tampered day's balance closes off what is stored after it.
      const range = ['--from', '2026-11-27', '--to', '2026-12-01', '--account', account];
      const report = await credits('revenue', ...range, '--format', 'json');
      expect([report.code, report.stderr.join('\n')]).toEqual([
        3,
        expect.stringContaining(
          "EUR: the period's movements close at 3285, the stored closing balances add up to 3280",
        ),
      ]);
      const query = `from=2026-11-27T00:00:00Z&to=2026-12-01T00:00:00Z&account=${account}`;
      expect((await service.call('finance', 'GET', `/finance/revenue?${query}`)).status).toBe(500);
      const reconcile = await credits('reconcile', '--format', 'json');
      expect(reconcile.code).toBe(3);
      expect(JSON.parse(reconcile.stdout)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ readModel: 'revenue_daily', accountId: account }),
        ]),
      );
    } finally {
      await tamper(-5);
      await pool.end();
    }
  });

  it('given bad money on the wire, then Kafka dead-letters it and HTTP refuses it, naming the field', async () => {
    const badRefund = wireEvent(account, 'ChargeRefunded', '2026-11-29T00:00:00Z', {
      refundId: 'r-bad',
      reason: 'corrupt_result',
    });
    const negative = wireEvent(account, 'TopUpPurchased', '2026-11-29T00:00:00Z', {
      purchaseId: 'p-bad',
      credits: 5,
      price: { amount: -100, currency: 'EUR' },
    });
    for (const [event, field] of [
      [badRefund, 'data.generationId'],
      [negative, 'data.price.amount'],
    ] as const) {
      const answer = await service.call('billing', 'POST', '/events', event);
      expect([answer.status, answer.body.details]).toEqual([400, [expect.stringContaining(field)]]);
    }
    await publish(kafka, topics.billingEvents, asMessages([badRefund, negative]));
    await projectorConsumed(kafka, prefix);
    const letters = await readTopic(kafka, topics.editorEventsDeadLetters);
    const reasons = letters
      .filter((letter) => [badRefund.id, negative.id].includes(JSON.parse(letter.value).id))
      .map((letter) => [letter.headers['dlq-reason'], letter.headers['dlq-details']]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        ['invalid_event', expect.stringContaining('data.generationId')],
        ['invalid_event', expect.stringContaining('data.price.amount')],
      ]),
    );
  });
});
