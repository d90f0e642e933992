import { Pool } from 'pg';
import { inputTopicNames, topicNames } from '@credits/kafka';
import {
  asMessages,
  kafkaClient,
  publish,
  publishInOrder,
  realisticMonth,
  waitUntilConsumed,
  wireEvent,
  type WireEvent,
} from '../harness/editor-events';
import { oracleLedgers, storedLedgers } from '../harness/ledger-oracle';
import { isolatedPrefix, startProjector } from '../harness/projector';

const databaseUrl = process.env.DATABASE_URL ?? '';
const kafka = kafkaClient('offset-reset-tests');

/** An agency's busy month: `generations` requested and kept, more than any state remembers. */
function busyAgency(accountId: string, generations: number): WireEvent[] {
  const t = (minutes: number) =>
    new Date(Date.parse('2026-11-01T08:00:00Z') + minutes * 60_000).toISOString();
  const events = [
    wireEvent(accountId, 'AllowanceGranted', t(0), {
      plan: 'pro',
      credits: 4_000,
      periodStart: '2026-11-01T00:00:00Z',
      periodEnd: '2026-12-01T00:00:00Z',
    }),
  ];
  for (let n = 1; n <= generations; n += 1) {
    events.push(
      wireEvent(accountId, 'GenerationRequested', t(2 * n), {
        generationId: `g-${n}`,
        editType: 'virtual_staging',
        resolution: '1K',
      }),
      wireEvent(accountId, 'EditAccepted', t(2 * n + 1), { generationId: `g-${n}` }),
    );
  }
  return events;
}

async function snapshotRows(streams: string[]): Promise<number> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM es_snapshots WHERE stream_name = ANY($1)',
      [streams],
    );
    return rows[0]?.count ?? 0;
  } finally {
    await pool.end();
  }
}

describe('an offset reset replays the whole topic', () => {
  it('given accounts with more settled generations than any state remembers, when the group is reset to the earliest offset and every message is consumed again, then every ledger and balance is unchanged', async () => {
    const prefix = isolatedPrefix('reset');
    const topics = topicNames(prefix);
    const groupId = `${prefix}credit-projector`;
    const agency = `${prefix}agency`;
    const events = [
      ...busyAgency(agency, 1_100),
      ...realisticMonth({ accounts: 5, events: 600, seed: 11, accountPrefix: `${prefix}acct` }),
    ];
    const admin = kafka.admin();
    await admin.connect();
    try {
      // Snapshots every 200 events: the replay loads the agency from one, and its tail.
      const env = { PROJECTOR_SNAPSHOT_EVERY_EVENTS: '200' };
      const first = await startProjector(prefix, env);
      await publishInOrder(kafka, prefix, asMessages(events));
      await first.process.stop('SIGTERM');
      const accounts = new Set(events.map((event) => event.subject));
      const before = await storedLedgers(databaseUrl, accounts);
      expect(before).toEqual(oracleLedgers(events));
      expect(await snapshotRows([`account-${agency}`])).toBeGreaterThan(0);

      // Both input topics replay from the start, interleaving however they come: all repeats.
      for (const topic of inputTopicNames(topics))
        await admin.resetOffsets({ groupId, topic, earliest: true });
      const second = await startProjector(prefix, env);
      await waitUntilConsumed(admin, groupId, inputTopicNames(topics));
      // A new wire event reusing the first generation's id, long after the state forgot it.
      const reuse = wireEvent(agency, 'GenerationRequested', '2026-11-03T08:00:00Z', {
        generationId: 'g-1',
        editType: 'virtual_staging',
        resolution: '1K',
      });
      await publish(kafka, topics.editorEvents, asMessages([reuse]));
      await waitUntilConsumed(admin, groupId, inputTopicNames(topics));
      await second.process.stop('SIGTERM');

      const after = await storedLedgers(databaseUrl, accounts);
      const agencyBefore = before.get(agency) ?? [];
      expect(after.get(agency)?.slice(0, agencyBefore.length)).toEqual(agencyBefore);
      expect(after.get(agency)?.slice(agencyBefore.length)).toEqual([
        expect.objectContaining({
          type: 'EventIgnored',
          reason: 'repeated_generation',
          generationId: 'g-1',
        }),
      ]);
      for (const account of accounts)
        if (account !== agency)
          expect([account, after.get(account)]).toEqual([account, before.get(account)]);
      expect(after).toEqual(oracleLedgers([...events, reuse]));
    } finally {
      await admin.disconnect();
    }
  }, 300_000);
});
