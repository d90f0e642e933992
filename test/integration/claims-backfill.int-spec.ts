import { Pool } from 'pg';
import { accountStream } from '@credits/domain/streams';
import { runCredits } from '../harness/credits-cli';
import {
  asMessages,
  kafkaClient,
  projectorConsumed,
  publishInOrder,
  publishInput,
  wireEvent,
} from '../harness/editor-events';
import { storedLedgers } from '../harness/ledger-oracle';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';

const databaseUrl = process.env.DATABASE_URL ?? '';
const kafka = kafkaClient('backfill-tests');
const prefix = isolatedPrefix('backfill');
const credits = (...args: string[]) => runCredits(args, { KAFKA_TOPIC_PREFIX: prefix });

/**
 * A ledger stored before claims were written (its claims removed, as an older release left
 * it): `credits claims backfill` records them from the stored events, and an offset reset's
 * redeliveries, older than anything the state remembers, then change nothing.
 */
describe('credits claims backfill', () => {
  const accountId = `${prefix}agency`;
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 9, minute)).toISOString();
  const history = [
    wireEvent(accountId, 'AllowanceGranted', at(0), {
      plan: 'pro',
      credits: 100,
      periodStart: '2026-11-01T00:00:00Z',
      periodEnd: '2026-12-01T00:00:00Z',
    }),
    ...Array.from({ length: 10 }, (_, n) => [
      wireEvent(accountId, 'GenerationRequested', at(2 * n + 1), {
        generationId: `g-${n}`,
        editType: 'twilight',
        resolution: '2K',
      }),
      wireEvent(accountId, 'EditAccepted', at(2 * n + 2), { generationId: `g-${n}` }),
    ]).flat(),
    wireEvent(accountId, 'EditAccepted', at(40), { generationId: 'never-requested' }),
  ];
  // States that remember 3 settled generations and 2 records: every older repeat relies on claims.
  const forgetful = { CREDITS_SETTLED_GENERATIONS_KEPT: '3', CREDITS_TRACE_ONLY_SOURCES_KEPT: '2' };
  let projector: ProjectorProcess;
  let pool: Pool;

  const consumed = () => projectorConsumed(kafka, prefix);

  beforeAll(async () => {
    pool = new Pool({ connectionString: databaseUrl, max: 1 });
    projector = await startProjector(prefix, forgetful);
    await publishInOrder(kafka, prefix, asMessages(history));
    await projector.process.stop('SIGTERM');
  });
  afterAll(async () => {
    await projector?.process.stop('SIGTERM');
    await pool?.end();
  });

  it('given a projector running, then the backfill is refused, saying to stop it, and records nothing', async () => {
    const running = await startProjector(prefix, forgetful);
    try {
      const refused = await credits('claims', 'backfill');
      expect([refused.code, refused.stdout]).toEqual([1, '']);
      expect(refused.stderr.join('\n')).toMatch(
        /consumer group has 1 member: stop every projector first/,
      );
    } finally {
      await running.process.stop('SIGTERM');
    }
  });

  it('records the claims of a stream stored without them, once; then a redelivery of its whole history changes nothing', async () => {
    const before = await storedLedgers(databaseUrl, [accountId]);
    const { rowCount } = await pool.query('DELETE FROM es_claims WHERE stream_name = $1', [
      accountStream(accountId),
    ]);
    // 22 wire events, 10 generations.
    expect(rowCount).toBe(32);

    const claimsHeld = async () =>
      (
        await pool.query<{ claims: string }>(
          'SELECT count(*) AS claims FROM es_claims WHERE stream_name = $1',
          [accountStream(accountId)],
        )
      ).rows[0]?.claims;
    // The run's other accounts have their claims: what it records is this account's.
    const backfill = await credits('claims', 'backfill');
    expect([backfill.code, backfill.stdout]).toEqual([
      0,
      expect.stringMatching(
        /^claims backfilled: [\d,]+ recorded, [\d,]+ held already, over [\d,]+ accounts$/,
      ),
    ]);
    expect(await claimsHeld()).toBe('32');
    const again = await credits('claims', 'backfill');
    expect(again.code).toBe(0);
    expect(await claimsHeld()).toBe('32');

    projector = await startProjector(prefix, forgetful);
    // Both topics at once: repeats change nothing, in whatever order they are taken.
    await publishInput(kafka, prefix, asMessages(history));
    await consumed();
    expect(await storedLedgers(databaseUrl, [accountId])).toEqual(before);
  });
});
