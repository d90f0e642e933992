import { kafkaClient, projectorConsumed } from '../harness/editor-events';
import { readModelsCaughtUp as caughtUp, runCredits } from '../harness/credits-cli';
import { storedLedgers } from '../harness/ledger-oracle';
import { ownDatabase } from '../harness/own-database';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

const kafka = kafkaClient('demo-tests');
const prefix = isolatedPrefix('demo');
/** A fresh deployment: a database of its own, where the demo may publish its catalog. */
let databaseUrl = '';
const env = () => ({ KAFKA_TOPIC_PREFIX: prefix, DATABASE_URL: databaseUrl });
const credits = (...args: string[]) => runCredits(args, env());
const lines = (statement: { lines: { type: string }[] }) => statement.lines.map((l) => l.type);
const count = (types: string[], type: string) => types.filter((t) => t === type).length;

describe('credits demo on a fresh deployment', () => {
  let projector: ProjectorProcess;
  let service: QuotaService;
  let drop = async () => {};
  beforeAll(async () => {
    const own = await ownDatabase('demo');
    [databaseUrl, drop] = [own.url, own.drop];
    projector = await startProjector(prefix, env());
    service = await startQuotaService(prefix, env());
  });
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
    await projector?.process.stop('SIGTERM');
    await drop();
  });

  it("publishes a realistic month, a refusal, the README's worked month and a brokerage pool with a capped agent, low-balance signals and a rollover, that every other verb can then be tried on", async () => {
    const demo = await credits(
      'demo',
      '--prefix',
      `${prefix}demo`,
      '--agencies',
      '3',
      '--events',
      '300',
    );
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/^published 391 events for 6 agencies .*the projector has them/);
    expect(demo.stdout).toContain('published the demo catalog (demo-2026)');
    await projectorConsumed(kafka, prefix);
    await caughtUp(env());
    const statement = async (account: string, ...more: string[]) =>
      JSON.parse(
        (
          await credits(
            ...['statement', '--account', `${prefix}${account}`, ...more],
            ...[
              '--from',
              '2026-11-01T00:00:00Z',
              '--to',
              '2026-12-02T00:00:00Z',
              '--format',
              'json',
            ],
          )
        ).stdout,
      );
    expect(lines(await statement('demo-small'))).toEqual(['CreditsGranted', 'GenerationRefused']);
    // Published wave by wave, the worked month is decided in its order: the README's totals.
    const revenue = JSON.parse(
      (
        await credits(
          ...['revenue', '--from', '2026-11-01', '--to', '2026-12-01'],
          ...['--account', `${prefix}demo-worked`, '--by', 'month', '--format', 'json'],
        )
      ).stdout,
    );
    expect(revenue.totals).toEqual([
      expect.objectContaining({ sold: 9_000, recognised: 2_120, closingDeferred: 3_280 }),
    ]);
    // The brokerage: Jo is capped at 9 credits; Sam's edits cross both thresholds once; billing's
    // top-up restores the balance; December's allowance finds 8 of November's 33 rolled over.
    const jo = await statement('demo-brokerage', '--member', 'agent-jo');
    expect(jo.member).toMatchObject({ cap: 9 });
    expect(lines(jo).sort()).toEqual(
      [
        ...Array(3).fill('EditKept'),
        ...Array(3).fill('GenerationCharged'),
        'GenerationRefused',
        'GenerationRefused',
      ].sort(),
    );
    const pool = await statement('demo-brokerage');
    const types = lines(pool);
    expect(
      ['BalanceLow', 'AutoTopUpRequested', 'BalanceRestored'].map((t) => count(types, t)),
    ).toEqual([1, 1, 1]);
    expect(types.slice(-3)).toEqual(['CreditsRolledOver', 'CreditsExpired', 'CreditsGranted']);
    expect(pool.lines.at(-2)).toMatchObject({ credits: -25, time: '2026-12-01T00:00:00.000Z' });
    const account = `${prefix}demo-brokerage`;
    const ledger = (await storedLedgers(databaseUrl, new Set([account]))).get(account) ?? [];
    expect(ledger.filter((event) => event.type === 'CreditsRolledOver')).toMatchObject([
      { credits: 8, plan: 'brokerage', expiresAt: '2026-12-31T00:00:00.000Z' },
    ]);
    expect((await credits('reconcile')).code).toBe(0);
  });
});
