import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeadLetterHeaders } from '@credits/contract';
import { STANDARD_PRICES, type CreditEvent } from '@credits/domain';
import { topicNames } from '@credits/kafka';
import { readModelsCaughtUp, runCredits } from '../harness/credits-cli';
import {
  asMessages,
  kafkaClient,
  publishInOrder,
  publishInput,
  readTopic,
  wireEvent,
} from '../harness/editor-events';
import { storedLedgers } from '../harness/ledger-oracle';
import { ownDatabase } from '../harness/own-database';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

const kafka = kafkaClient('catalog-tests');
const prefix = isolatedPrefix('catalog');
/** A database of its own (a version published here would price the other tests' events). */
let databaseUrl = '';
let dropDatabase = async () => {};
/** Short lead and refresh times, so a version published now applies within seconds. */
const env = {
  KAFKA_TOPIC_PREFIX: prefix,
  get DATABASE_URL() {
    return databaseUrl;
  },
  CATALOG_LEAD_TIME_MS: '3000',
  CATALOG_REFRESH_MS: '250',
  PROJECTOR_SWEEP_INTERVAL_MS: '200',
};
const credits = (...args: string[]) => runCredits(args, { ...env });
const dir = mkdtempSync(path.join(tmpdir(), 'catalog-'));
const file = (name: string, body: unknown) => {
  const where = path.join(dir, name);
  writeFileSync(where, JSON.stringify(body));
  return where;
};
const DEARER = {
  ...STANDARD_PRICES,
  version: '2027-dearer-4k',
  aiEdit: { ...STANDARD_PRICES.aiEdit, '4K': { generate: 5, accept: 5 } },
  plans: {
    'pro-plus': { allowanceCredits: 50, rollover: { fraction: 0.5, capCredits: 10 } },
  },
};

/** Until the account's ledger satisfies `check` (the projector decides within moments of `fromMs`). */
async function ledgerWhen(
  accountId: string,
  check: (ledger: CreditEvent[]) => boolean,
  fromMs = Date.now(),
): Promise<CreditEvent[]> {
  const deadline = Math.max(Date.now(), fromMs) + 30_000;
  for (;;) {
    const ledger = (await storedLedgers(databaseUrl, new Set([accountId]))).get(accountId) ?? [];
    if (check(ledger) || Date.now() > deadline) return ledger;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the catalog as data: published, loaded while running, priced by the version in force', () => {
  let projector: ProjectorProcess;
  let service: QuotaService;
  beforeAll(async () => {
    const own = await ownDatabase('catalog');
    [databaseUrl, dropDatabase] = [own.url, own.drop];
    projector = await startProjector(prefix, { ...env });
    service = await startQuotaService(prefix, { ...env });
  });
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
    await projector?.process.stop('SIGTERM');
    await dropDatabase();
  });

  it.each([
    [
      'a missing price',
      { ...DEARER, aiEdit: { ...DEARER.aiEdit, '4K': { generate: 5 } } },
      'aiEdit.4K.accept must be a whole number of credits',
    ],
    [
      'a fraction outside 0–1',
      {
        ...DEARER,
        plans: { x: { allowanceCredits: 5, rollover: { fraction: 1.5, capCredits: 1 } } },
      },
      'plans.x.rollover.fraction must be a number between 0 and 1',
    ],
  ])(
    'given a catalog with %s, then publish refuses it naming the field (exit 2)',
    async (_, body, detail) => {
      const effectiveFrom = new Date(Date.now() + 60_000).toISOString();
      const answer = await credits(
        'catalog',
        'publish',
        file('bad.json', body),
        '--effective-from',
        effectiveFrom,
      );
      expect(answer.code).toBe(2);
      expect(answer.stderr.join('\n')).toContain(detail);
    },
  );

  it('given a version starting sooner than the lead time, then publish refuses it', async () => {
    const soon = new Date(Date.now() + 500).toISOString();
    const answer = await credits(
      'catalog',
      'publish',
      file('soon.json', DEARER),
      '--effective-from',
      soon,
    );
    expect(answer.code).toBe(2);
    expect(answer.stderr.join('\n')).toContain('at least CATALOG_LEAD_TIME_MS (3000 ms) from now');
  });

  it('given a running projector, when a version is published, then events after its start are priced by it and earlier ones by the version before; an allowance of its plan rolls over at its end', async () => {
    // A start just past the lead time, as the CLI sees it when it checks: a busy machine may
    // take longer than the margin to start it, and then the next try leaves twice the margin.
    let startMs = 0;
    let published: Awaited<ReturnType<typeof credits>> | null = null;
    for (let marginMs = 1_000; marginMs <= 16_000 && published?.code !== 0; marginMs *= 2) {
      startMs = Math.ceil((Date.now() + 3_000 + marginMs) / 1000) * 1000;
      published = await credits(
        'catalog',
        'publish',
        file('dearer.json', DEARER),
        '--effective-from',
        new Date(startMs).toISOString(),
      );
      if (published.code !== 0)
        expect(published.stderr.join('\n')).toContain('at least CATALOG_LEAD_TIME_MS');
    }
    const effectiveFrom = new Date(startMs).toISOString();
    expect([published?.code, published?.stdout]).toEqual([
      0,
      expect.stringContaining('published catalog version 2027-dearer-4k'),
    ]);

    const account = `${prefix}agency`;
    const at = (offsetMs: number) => new Date(startMs + offsetMs).toISOString();
    // In waves: the grants are decided before the generations that need them.
    await publishInOrder(
      kafka,
      prefix,
      asMessages([
        wireEvent(account, 'TopUpPurchased', at(-2_000), { purchaseId: 'p', credits: 100 }),
        wireEvent(account, 'AllowanceGranted', at(-2_000), {
          plan: 'pro-plus',
          credits: 50,
          periodStart: at(-2_000),
          periodEnd: at(2_000),
        }),
        wireEvent(account, 'GenerationRequested', at(-1_000), {
          generationId: 'before',
          editType: 'twilight',
          resolution: '4K',
        }),
        wireEvent(account, 'GenerationRequested', at(1_000), {
          generationId: 'after',
          editType: 'twilight',
          resolution: '4K',
        }),
      ]),
    );
    // The rollover comes at the allowance's end, on the wall clock: wait from then.
    const ledger = await ledgerWhen(
      account,
      (events) => events.some((event) => event.type === 'CreditsRolledOver'),
      startMs + 2_000,
    );
    const charged = ledger.filter((event) => event.type === 'GenerationCharged');
    expect(charged).toMatchObject([
      { generationId: 'before', priceVersion: STANDARD_PRICES.version, charged: 2, held: 4 },
      { generationId: 'after', priceVersion: '2027-dearer-4k', charged: 5, held: 5 },
    ]);
    // 50 − 6 − 10 taken from the allowance: 34 unused, half is 17, the cap 10.
    expect(ledger.filter((event) => event.type === 'CreditsRolledOver')).toMatchObject([
      { credits: 10, fromGrantId: `allowance:pro-plus:${at(-2_000)}`, plan: 'pro-plus' },
    ]);

    const shown = await credits('catalog', 'show', '--at', at(1_000), '--format', 'json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ version: '2027-dearer-4k', effectiveFrom });

    // what-if reads the same file: the whole window under the dearer 4K price.
    const whatIf = await credits(
      ...['what-if', '--price-book', file('dearer.json', DEARER), '--format', 'json'],
      ...['--from', at(-3_000), '--to', at(3_000)],
    );
    expect(whatIf.code).toBe(0);
    const [row] = JSON.parse(whatIf.stdout).accounts.filter(
      (line: { accountId: string }) => line.accountId === account,
    );
    expect(row).toMatchObject({ actualCharged: 7, hypotheticalCharged: 10 });

    // The past is never re-priced: a version must start after the newest event decided, even
    // one a producer stamped an hour ahead.
    const hourAhead = new Date(Date.now() + 3_600_000).toISOString();
    await publishInput(
      kafka,
      prefix,
      asMessages([
        wireEvent(account, 'GenerationRequested', hourAhead, {
          generationId: 'ahead',
          editType: 'crop',
        }),
      ]),
    );
    await ledgerWhen(account, (events) =>
      events.some((event) => 'generationId' in event && event.generationId === 'ahead'),
    );
    await readModelsCaughtUp({ ...env });
    const inTenMinutes = new Date(Date.now() + 600_000).toISOString();
    const refused = await credits(
      'catalog',
      'publish',
      file('again.json', { ...DEARER, version: 'again' }),
      '--effective-from',
      inTenMinutes,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr.join('\n')).toContain('after the newest event already decided');
  });

  it('given a PlanChanged on Kafka to a plan no catalog version names, then it is dead-lettered as undecidable, naming the plan', async () => {
    const account = `${prefix}dlq`;
    await publishInput(
      kafka,
      prefix,
      asMessages([
        wireEvent(account, 'PlanChanged', new Date().toISOString(), {
          plan: 'platinum',
          effectiveAt: new Date().toISOString(),
        }),
      ]),
    );
    const [letter] = (await readTopic(kafka, topicNames(prefix).editorEventsDeadLetters, 1)).filter(
      (message) => message.key === account,
    );
    expect(letter?.headers).toMatchObject({
      [DeadLetterHeaders.reason]: 'undecidable',
      [DeadLetterHeaders.details]: expect.stringContaining('has no plan "platinum"'),
    });
  });

  it('given a PlanChanged to a plan no catalog version names, then 400 naming the field', async () => {
    const answer = await service.call(
      'billing',
      'POST',
      '/events',
      wireEvent(`${prefix}agency`, 'PlanChanged', new Date().toISOString(), {
        plan: 'platinum',
        effectiveAt: new Date().toISOString(),
      }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.details).toEqual([
      expect.stringContaining('data.plan: the catalog in force at'),
    ]);
  });
});
