import { Pool } from 'pg';
import { STANDARD_RULES } from '@credits/domain';
import { inputTopicNames, topicNames } from '@credits/kafka';
import { runCredits } from '../harness/credits-cli';
import { kafkaClient, publishInput, waitUntilConsumed } from '../harness/editor-events';
import { startProjector, type ProjectorProcess } from '../harness/projector';
import { faultInput } from './fault-input';
import { FaultReport } from './fault-report';
import {
  checkAgainstOracle,
  storedLedgerEvents,
  waitForProgress,
  worldEnv,
  type FaultWorld,
  faultWorld,
} from './oracle-checks';

/**
 * An operator's offset reset, twice: mid-stream and after everything was consumed, the
 * projector's group is reset to the earliest offset and every message is delivered again. The
 * projector runs with states that remember almost nothing (3 settled generations, 2 records), so
 * every repeat must be answered by the durable record; some snapshots are made unreadable before
 * the last replay, which must then fold those accounts from the start.
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 5_000);
const report = new FaultReport(`offset resets (${EVENTS.toLocaleString('en')} events)`);

async function removeCorruptSnapshots(world: FaultWorld): Promise<number> {
  const pool = new Pool({ connectionString: world.databaseUrl, max: 1 });
  try {
    const { rowCount } = await pool.query(
      `DELETE FROM es_snapshots WHERE stream_name LIKE $1 AND state = 'not a state'`,
      [`account-${world.prefix}%`],
    );
    return rowCount ?? 0;
  } finally {
    await pool.end();
  }
}

async function corruptSnapshots(world: FaultWorld, count: number): Promise<number> {
  const pool = new Pool({ connectionString: world.databaseUrl, max: 1 });
  try {
    const { rowCount } = await pool.query(
      `UPDATE es_snapshots SET state = 'not a state'
        WHERE stream_name IN (SELECT DISTINCT stream_name FROM es_snapshots
                               WHERE stream_name LIKE $1 ORDER BY stream_name LIMIT $2)`,
      [`account-${world.prefix}%`, count],
    );
    return rowCount ?? 0;
  } finally {
    await pool.end();
  }
}

describe('credit projector across offset resets, checked against the oracle', () => {
  afterAll(() => report.print());

  it('offset resets to the earliest, mid-stream and at the end, with states that remember almost nothing: ledgers equal the oracle, nothing charged twice, every malformed message dead-lettered, reconcile clean', async () => {
    const world = faultWorld('reset', {
      env: {
        CREDITS_SETTLED_GENERATIONS_KEPT: '3',
        CREDITS_TRACE_ONLY_SOURCES_KEPT: '2',
        PROJECTOR_SNAPSHOT_EVERY_EVENTS: '20',
      },
      rules: {
        ...STANDARD_RULES,
        memory: { settledGenerationsKept: 3, recordOnlySourcesKept: 2, membersKept: 1_000 },
      },
    });
    const input = faultInput(world.prefix, EVENTS, 8642);
    report.note(`input: ${input.description}`);
    const topics = inputTopicNames(topicNames(world.prefix));
    const groupId = `${world.prefix}credit-projector`;
    const kafka = kafkaClient('faults-reset', world.brokers);
    const admin = kafka.admin();
    await admin.connect();
    const env = worldEnv(world);
    const resetWhileStopped = async (projector: ProjectorProcess, when: string) => {
      // A clean stop leaves the group empty at once, which a reset requires.
      await projector.process.stop('SIGTERM');
      for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: true });
      report.note(
        `${when}: reset ${groupId} to the earliest offset after ${await storedLedgerEvents(world, input)} of ${input.ledgerEvents} ledger events`,
      );
      return startProjector(world.prefix, env);
    };
    try {
      let projector = await startProjector(world.prefix, env);
      const publishing = publishInput(kafka, world.prefix, input.stream, {
        history: world.history,
      });
      await waitForProgress(world, input, 0.5);
      projector = await resetWhileStopped(projector, 'mid-stream');
      await publishing;
      await waitUntilConsumed(admin, groupId, topics, 300_000);
      const corrupted = await corruptSnapshots(world, 3);
      projector = await resetWhileStopped(projector, 'at the end');
      report.note(`made ${corrupted} snapshots unreadable before the last replay`);
      await waitUntilConsumed(admin, groupId, topics, 300_000);
      // Loads skipped them; reconcile must name each, until they are removed.
      const reconciled = await runCredits(['reconcile', '--format', 'json'], env);
      const found = (JSON.parse(reconciled.stdout) as { readModel: string }[]).filter(
        (difference) => difference.readModel === 'snapshots',
      );
      report.note(`credits reconcile named ${found.length} unreadable snapshots`);
      expect([reconciled.code, found.length]).toEqual([3, corrupted]);
      expect(await removeCorruptSnapshots(world)).toBe(corrupted);
      await checkAgainstOracle(world, input, report);
      await projector.process.stop('SIGTERM');
    } finally {
      await admin.disconnect();
    }
  }, 900_000);
});
