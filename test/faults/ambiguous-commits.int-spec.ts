import { Client } from 'pg';
import { kafkaClient, projectorConsumed, publishInput } from '../harness/editor-events';
import { ownDatabase } from '../harness/own-database';
import { startProjector } from '../harness/projector';
import { faultInput } from './fault-input';
import { FaultReport } from './fault-report';
import { checkAgainstOracle, faultWorld, worldEnv } from './oracle-checks';

/**
 * Ambiguous store commits: while two projectors consume, every connection to the run's own
 * database is terminated again and again (pg_terminate_backend), so appends fail before,
 * during and after their commit; and one projector hears every third append it committed
 * answered as a failure (PROJECTOR_AMBIGUOUS_COMMIT_EVERY, FoundationDB's
 * commit_unknown_result). FAULTS_EVENTS sizes it.
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 3_000);
const report = new FaultReport(`ambiguous store commits (${EVENTS.toLocaleString('en')} events)`);

/** Terminates every other session of the database, round after round, until stopped. */
function terminateAgainAndAgain(databaseUrl: string): { stop(): Promise<number> } {
  let stopping = false;
  let terminated = 0;
  const running = (async () => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      while (!stopping) {
        const { rows } = await client.query<{ count: string }>(
          `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS count FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND backend_type = 'client backend'`,
        );
        terminated += Number(rows[0]?.count ?? 0);
        // A round each quarter second: the pools reconnect between rounds and append again.
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await client.end();
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await running;
      return terminated;
    },
  };
}

/** How many writes a projector retried because the store was (or was said to be) away. */
async function unavailableRetries(metricsUrl: string): Promise<number> {
  const metrics = await (await fetch(metricsUrl)).text();
  const line = metrics
    .split('\n')
    .find((candidate) =>
      candidate.startsWith('credits_projector_store_retries_total{failure="unavailable"'),
    );
  return Number(line?.split(' ').at(-1) ?? 0);
}

describe('ambiguous store commits, checked against the oracle and the history', () => {
  afterAll(() => report.print());

  it('connections terminated during appends, and committed appends answered as failures: nothing lost, nothing applied twice, no projector exits', async () => {
    const database = await ownDatabase(`ambiguous${process.pid}`);
    try {
      const world = faultWorld('ambiguous', { databaseUrl: database.url });
      const input = faultInput(world.prefix, EVENTS, 8642);
      report.note(`input: ${input.description}`);
      const projectors = [
        await startProjector(world.prefix, {
          ...worldEnv(world),
          PROJECTOR_AMBIGUOUS_COMMIT_EVERY: '3',
        }),
        await startProjector(world.prefix, worldEnv(world)),
      ];
      report.note('started two projectors, the first hearing every third commit as failed');
      const terminations = terminateAgainAndAgain(database.url);
      const kafka = kafkaClient('ambiguous', world.brokers);
      await publishInput(kafka, world.prefix, input.stream, { history: world.history });
      await projectorConsumed(kafka, world.prefix, 600_000);
      const terminated = await terminations.stop();
      report.note(`terminated ${terminated} sessions while the projectors consumed`);
      expect(terminated).toBeGreaterThan(0);
      const retried = await unavailableRetries(projectors[0]!.metricsUrl);
      const injected = projectors[0]!.process.stdout.filter((line) =>
        line.includes('PROJECTOR_AMBIGUOUS_COMMIT_EVERY'),
      ).length;
      report.note(
        `the first projector retried ${retried} writes the store was unavailable for, ${injected} of them committed appends it was told had failed`,
      );
      expect(injected).toBeGreaterThan(0);
      await checkAgainstOracle(world, input, report);
      const exits = projectors.filter(
        ({ process }) => process.child.exitCode !== null || process.child.signalCode !== null,
      );
      report.note(`checked: ${exits.length} projector processes exited`);
      expect(exits).toEqual([]);
      await Promise.all(projectors.map(({ process }) => process.stop('SIGTERM')));
    } finally {
      await database.drop();
    }
  }, 900_000);
});
