import { readModelsCaughtUp } from '../harness/credits-cli';
import { wireEvent } from '../harness/editor-events';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';
import { eventually } from '../harness/eventually';

// March 2031: days no other test's events fall on, so the cross-account answers are this test's.
const DAY1 = '2031-03-01T00:00:00Z';
const DAY3 = '2031-03-03T00:00:00Z';

describe('usage and ledger routes: per UTC day, grouped, paged and bounded', () => {
  const prefix = isolatedPrefix('usage');
  const accounts = [`${prefix}a`, `${prefix}b`];
  let projector: ProjectorProcess;
  let service: QuotaService;

  beforeAll(async () => {
    projector = await startProjector(prefix);
    service = await startQuotaService(prefix);
    for (const account of accounts) {
      const topUp = wireEvent(account, 'TopUpPurchased', '2031-03-01T08:00:00Z', {
        purchaseId: 'p',
        credits: 100,
      });
      expect((await service.call('billing', 'POST', '/events', topUp)).status).toBe(202);
      await eventually(
        () => service.call('finance', 'GET', `/accounts/${account}/balance`),
        (answer) => answer.status === 200,
      );
    }
    const [a, b] = accounts as [string, string];
    const editor = [
      wireEvent(a, 'GenerationRequested', '2031-03-01T10:00:00Z', {
        generationId: 'g1',
        editType: 'twilight',
        resolution: '1K',
        memberId: 'jo',
      }),
      wireEvent(a, 'EditAccepted', '2031-03-01T10:01:00Z', { generationId: 'g1' }),
      // 23:30 in New York is 04:30 the next day in UTC: it counts on 2 March.
      wireEvent(a, 'GenerationRequested', '2031-03-01T23:30:00-05:00', {
        generationId: 'g2',
        editType: 'virtual_staging',
        resolution: '4K',
        memberId: 'sam',
      }),
      wireEvent(a, 'EditRejected', '2031-03-02T05:00:00Z', { generationId: 'g2' }),
      wireEvent(a, 'GenerationRequested', '2031-03-02T06:00:00Z', {
        generationId: 'g3',
        editType: 'crop',
      }),
      wireEvent(b, 'GenerationRequested', '2031-03-02T07:00:00Z', {
        generationId: 'g1',
        editType: 'twilight',
        resolution: '2K',
      }),
    ];
    for (const event of editor)
      expect((await service.call('worker', 'POST', '/events', event)).status).toBe(202);
    // Every read model has it all: usage per day and per agent, and the ledger lines.
    await eventually(
      () => service.call('finance', 'GET', `/usage?from=${DAY1}&to=${DAY3}&by=account`),
      (answer) => answer.body?.totals?.generations === 4,
    );
    await readModelsCaughtUp({ KAFKA_TOPIC_PREFIX: prefix });
  }, 60_000);
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
    await projector?.process.stop('SIGTERM');
  });

  const usage = (path: string) => service.call('finance', 'GET', path);

  it('given an account, then its usage by UTC day counts an event at its UTC date, whatever its offset', async () => {
    const { status, body } = await usage(`/accounts/${accounts[0]}/usage?from=${DAY1}&to=${DAY3}`);
    expect(status).toBe(200);
    expect(body.rows).toEqual([
      {
        key: '2031-03-01',
        generations: 1,
        kept: 1,
        discarded: 0,
        lapsed: 0,
        refused: 0,
        credits: 3,
      },
      {
        key: '2031-03-02',
        generations: 2,
        kept: 0,
        discarded: 1,
        lapsed: 0,
        refused: 0,
        credits: 2,
      },
    ]);
    expect(body).toMatchObject({ by: 'day', next: null, totals: { generations: 3, credits: 5 } });
  });

  it.each([
    ['editType', ['crop', 'twilight', 'virtual_staging']],
    ['resolution', ['1K', '4K', 'none']],
    ['member', ['jo', 'sam']],
  ])('given an account, then its usage by %s has a row each', async (by, keys) => {
    const { body } = await usage(`/accounts/${accounts[0]}/usage?from=${DAY1}&to=${DAY3}&by=${by}`);
    expect(body.rows.map((row: { key: string }) => row.key)).toEqual(keys);
  });

  it('given every account, when paged one row at a time, then the pages add up to the whole, in order', async () => {
    const first = await usage(`/usage?from=${DAY1}&to=${DAY3}&by=account&limit=1`);
    expect(first.body.rows.map((row: { key: string }) => row.key)).toEqual([accounts[0]]);
    expect(first.body.next).toBe(accounts[0]);
    const second = await usage(
      `/usage?from=${DAY1}&to=${DAY3}&by=account&limit=1&after=${first.body.next}`,
    );
    expect(second.body.rows.map((row: { key: string }) => row.key)).toEqual([accounts[1]]);
    expect(second.body.next).toBeNull();
    expect(second.body.totals).toEqual(first.body.totals);
  });

  it('given a ledger, when read a page at a time, then the pages are the whole ledger, and each is at most the limit', async () => {
    const whole = await usage(`/accounts/${accounts[0]}/ledger`);
    expect(whole.body.next).toBeNull();
    const paged: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { entries: unknown[]; next: string | null } } =
        await usage(`/accounts/${accounts[0]}/ledger?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.entries.length).toBeLessThanOrEqual(2);
      paged.push(...page.body.entries);
      cursor = page.body.next;
    } while (cursor !== null);
    expect(paged).toEqual(whole.body.entries);
    expect(paged.length).toBeGreaterThan(4);
  });

  it.each([
    [`/usage?from=${DAY1}&to=2045-03-01T00:00:00Z`, 'a report covers at most 3660 days'],
    [`/usage?from=2031-03-01T10:00:00Z&to=${DAY3}`, 'usage is kept per UTC day'],
    [`/usage?from=${DAY1}&to=${DAY3}&by=member`, 'by must be one of'],
    [`/usage?from=${DAY1}&to=${DAY3}&limit=10001`, 'limit must not be greater than 10000'],
    [`/accounts/x/ledger?limit=0`, 'limit must not be less than 1'],
    [`/accounts/x/ledger?cursor=abc`, 'cursor must be the `next` of an earlier answer'],
  ])('given %s, then 400 saying why', async (path, detail) => {
    const { status, body } = await usage(path);
    expect(status).toBe(400);
    expect(body.details.join('\n')).toContain(detail);
  });

  it('given a worker key, then usage is refused (403)', async () => {
    expect((await service.call('worker', 'GET', `/usage?from=${DAY1}&to=${DAY3}`)).status).toBe(
      403,
    );
  });

  it('given an account with no events, then 404', async () => {
    expect((await usage(`/accounts/${prefix}nobody/usage?from=${DAY1}&to=${DAY3}`)).status).toBe(
      404,
    );
  });
});
