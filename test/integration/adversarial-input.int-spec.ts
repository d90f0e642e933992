import fc from 'fast-check';
import { inputTopicNames, projectorGroupId, topicNames } from '@credits/kafka';
import {
  kafkaClient,
  publishInput,
  readTopic,
  waitUntilConsumed,
  type RawMessage,
} from '../harness/editor-events';
import { eventsBelowZero, storedLedgers } from '../harness/ledger-oracle';
import { runCredits } from '../harness/credits-cli';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

/**
 * One message never stops a partition: schema-valid but adversarial editor events (and a few
 * invalid ones), made by fast-check and fed through the real projector on the real broker and
 * PostgreSQL. Each run's messages must all be consumed and committed, whatever they hold, and the
 * projector must still be running. ADVERSARIAL_RUNS sizes it.
 */
const RUNS = Number(process.env.ADVERSARIAL_RUNS ?? 25);
const DEAD_LETTER_REASONS = [
  'oversize',
  'invalid_json',
  'unknown_type',
  'invalid_event',
  'invalid_time',
  'key_mismatch',
  'undecidable',
];
const kafka = kafkaClient('adversarial-tests');

const ACCOUNT_CHARACTERS = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-',
];

/** Ids of every length the contract allows, of any code point, lone surrogates and NUL too. */
const anyId = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 128 }),
  fc.string({
    unit: fc.oneof(
      fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
      fc.constantFrom('\u0000', '\u001f', '\u2028', '"', '\\'),
    ),
    minLength: 1,
    maxLength: 128,
  }),
  fc.string({ unit: fc.constantFrom(...ACCOUNT_CHARACTERS), minLength: 128, maxLength: 128 }),
  // A few shared ids, so one id comes back under other types.
  fc.constantFrom('shared-1', 'shared-2', 'gen-1'),
);

const anyTime = fc.oneof(
  fc
    .integer({ min: Date.UTC(2026, 10, 1), max: Date.UTC(2026, 11, 1) })
    .map((ms) => new Date(ms).toISOString()),
  fc.constantFrom(
    '0001-01-01T00:00:00Z',
    '0000-01-01T00:00:00+23:59',
    '9999-12-31T23:59:59.999Z',
    '9999-12-31T23:59:59-23:59',
    '2026-06-30T23:59:60Z',
    '2026-02-29T10:00:00Z',
  ),
);

const anyCredits = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000_000 }),
  fc.constantFrom(1_000_000_000, 2 ** 53 - 1, 2 ** 53, -(2 ** 53 - 1), 0),
);

const anyData = fc.oneof(
  fc.record({
    type: fc.constant('GenerationRequested'),
    data: fc.record({
      generationId: anyId,
      editType: fc.oneof(
        fc.constantFrom('virtual_staging', 'twilight', 'crop', 'rotate'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }),
      ),
      resolution: fc.constantFrom('1K', '2K', '4K'),
    }),
  }),
  fc.record({
    type: fc.constantFrom('EditAccepted', 'EditRejected'),
    data: fc.record({ generationId: anyId }),
  }),
  fc.record({
    type: fc.constant('AllowanceGranted'),
    data: fc.record({
      plan: fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }),
      credits: anyCredits,
      periodStart: anyTime,
      // Before the start as often as after it.
      periodEnd: anyTime,
    }),
  }),
  fc.record({
    type: fc.constant('TopUpPurchased'),
    data: fc.record(
      { purchaseId: anyId, credits: anyCredits, expiresAt: anyTime },
      { requiredKeys: ['purchaseId', 'credits'] },
    ),
  }),
  fc.record({
    type: fc.constant('CreditsAdjusted'),
    data: fc.record({
      adjustmentId: anyId,
      credits: anyCredits.map((credits) => -credits),
      reason: fc.string({ unit: 'binary', minLength: 1, maxLength: 500 }),
    }),
  }),
);

describe('credit projector fed adversarial editor events', () => {
  const prefix = isolatedPrefix('adversarial');
  const topics = topicNames(prefix);
  let projector: ProjectorProcess;
  // Its read models must take whatever the ledger took.
  let service: QuotaService;
  const accounts = new Set<string>();
  let sent = 0;

  beforeAll(async () => {
    projector = await startProjector(prefix);
    service = await startQuotaService(prefix);
  });
  afterAll(async () => {
    await projector.process.stop('SIGTERM');
    await service.process.stop('SIGTERM');
  });

  it('given schema-valid but adversarial events (ids of any code point, NULs and lone surrogates, integers near 2^53, years 0001 and 9999, a leap second, periods ending before they start, top-ups already expired, one id under several types), then every partition reaches its end offset and the projector keeps running', async () => {
    const admin = kafka.admin();
    await admin.connect();
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(
              fc.string({
                unit: fc.constantFrom(...ACCOUNT_CHARACTERS),
                minLength: 1,
                maxLength: 80,
              }),
              fc.array(fc.tuple(anyId, anyTime, anyData), { minLength: 1, maxLength: 12 }),
            ),
            { minLength: 1, maxLength: 3 },
          ),
          async (generated) => {
            run += 1;
            const messages: RawMessage[] = [];
            for (const [name, events] of generated) {
              // Fresh accounts for every run, also while shrinking; at most 128 characters.
              const subject = `${prefix}${run}.${name}`.slice(0, 128);
              accounts.add(subject);
              for (const [id, time, { type, data }] of events)
                messages.push({
                  key: subject,
                  value: JSON.stringify({
                    specversion: '1.0',
                    id,
                    source: 'editor',
                    type,
                    time,
                    subject,
                    data,
                  }),
                });
            }
            await publishInput(kafka, prefix, messages);
            sent += messages.length;
            await waitUntilConsumed(
              admin,
              projectorGroupId(prefix),
              inputTopicNames(topics),
              60_000,
            );
            expect(projector.process.child.exitCode).toBeNull();
          },
        ),
        { numRuns: RUNS, seed: Number(process.env.ADVERSARIAL_SEED ?? 1812), endOnFailure: true },
      );
    } finally {
      await admin.disconnect();
    }

    const letters = await readTopic(kafka, topics.editorEventsDeadLetters, 0);
    for (const letter of letters)
      expect(DEAD_LETTER_REASONS).toContain(letter.headers['dlq-reason']);
    const reasons = new Map<string, number>();
    for (const letter of letters)
      reasons.set(
        letter.headers['dlq-reason'] ?? '',
        (reasons.get(letter.headers['dlq-reason'] ?? '') ?? 0) + 1,
      );
    const ledgers = await storedLedgers(process.env.DATABASE_URL ?? '', accounts);
    console.log(
      `adversarial input: ${sent} messages over ${accounts.size} accounts in ${run} runs; ` +
        `dead-lettered: ${[...reasons].map(([reason, count]) => `${reason} ${count}`).join(', ')}; ` +
        `${[...ledgers.values()].flat().length} ledger events`,
    );
    expect(reasons.get('undecidable') ?? 0).toBeGreaterThan(0);
    expect(eventsBelowZero(ledgers)).toBe(0);

    // The read models hold every ledger event (years 0000 to 10000, sums past 2^31), and agree.
    const credits = (...args: string[]) => runCredits(args, { KAFKA_TOPIC_PREFIX: prefix });
    const deadline = Date.now() + 60_000;
    let behind: number[] = [];
    for (;;) {
      const status = await credits('projections', 'status', '--format', 'json');
      if (status.code !== 0) throw new Error(`projections status: ${status.stderr.join('\n')}`);
      behind = (JSON.parse(status.stdout) as { eventsBehind: number }[]).map(
        (row) => row.eventsBehind,
      );
      if (behind.every((count) => count === 0) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(behind.length).toBeGreaterThan(0);
    expect(behind.filter((count) => count !== 0)).toEqual([]);
    const reconciled = await credits('reconcile');
    expect([reconciled.code, reconciled.stdout]).toEqual([
      0,
      expect.stringMatching(/^reconciled: /),
    ]);
  }, 600_000);
});
