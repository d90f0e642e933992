import { Client } from 'pg';
import { kafkaClient, projectorConsumed, publishInput } from '../harness/editor-events';
import { ownDatabase } from '../harness/own-database';
import { startProjector } from '../harness/projector';
import { startQuotaService } from '../harness/quota-service';
import { faultInput } from './fault-input';
import { FaultReport } from './fault-report';
import { checkGenerations, describeVerdict } from './history-checker';
import { driveGenerations } from './http-generations';
import { checkAgainstOracle, faultWorld, worldEnv } from './oracle-checks';
import { storedLedgers } from '../harness/ledger-oracle';

/**
 * Ambiguous store commits: while two projectors consume and a quota service reads balances and
 * serves an AI worker's generations, keeps and discards over HTTP, every connection to the
 * run's own database is terminated again and again (pg_terminate_backend), so appends fail
 * before, during and after their commit; and one projector hears every third append it
 * committed answered as a failure (PROJECTOR_AMBIGUOUS_COMMIT_EVERY, FoundationDB's
 * commit_unknown_result). FAULTS_EVENTS sizes it.
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 3_000);
/** The worker's accounts, apart from the oracle's, and the generations it asks for on each. */
const HTTP_ACCOUNTS = 4;
const HTTP_GENERATIONS = Math.max(12, Math.round(EVENTS / 250));
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
      // The quota service's sessions are terminated too, while it reads balances.
      const service = await startQuotaService(world.prefix, worldEnv(world));
      const answers = new Map<number, number>();
      let reading = true;
      const reads = (async () => {
        for (let n = 0; reading; n += 1) {
          const account = [...input.accounts][n % input.accounts.size] as string;
          const { status } = await service
            .call('worker', 'GET', `/accounts/${account}/balance`)
            .catch(() => ({ status: 0 }));
          answers.set(status, (answers.get(status) ?? 0) + 1);
          // Paced, so the reads keep the service's connections busy without taking the CPU.
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const terminations = terminateAgainAndAgain(database.url);
      const kafka = kafkaClient('ambiguous', world.brokers);
      const httpAccounts = Array.from(
        { length: HTTP_ACCOUNTS },
        (_, index) => `${world.prefix}http-${index}`,
      );
      const [httpAnswers] = await Promise.all([
        driveGenerations(service, world.history, httpAccounts, HTTP_GENERATIONS),
        publishInput(kafka, world.prefix, input.stream, { history: world.history }),
      ]);
      await projectorConsumed(kafka, world.prefix, 600_000);
      const terminated = await terminations.stop();
      reading = false;
      await reads;
      report.note(
        `terminated ${terminated} sessions while the projectors consumed and the quota service read balances (answers by status: ${JSON.stringify(Object.fromEntries(answers))})`,
      );
      expect(service.process.child.exitCode ?? service.process.child.signalCode).toBeNull();
      // A cut connection is the store away for a moment: 503 and when to come back, never 500.
      expect(answers.get(500) ?? 0).toBe(0);
      await service.process.stop('SIGTERM');
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
      const generations = checkGenerations(
        world.history.all,
        await storedLedgers(world.databaseUrl, httpAccounts),
      );
      report.note(
        `checked: HTTP generations on ${HTTP_ACCOUNTS} accounts of their own (answers by status: ${JSON.stringify(Object.fromEntries(httpAnswers))}), ${describeVerdict(generations, world.history.all.filter((o) => o.kind !== 'publish').length)}`,
      );
      expect(generations).toEqual({ lost: [], duplicate: [], unseen: [], contradicted: [] });
      // Or the check above proves nothing: some generations were approved and settled.
      const answered = (kind: string) =>
        world.history.all.filter((o) => o.kind === kind && o.outcome === 'ok').length;
      expect(answered('generate')).toBeGreaterThan(0);
      expect(answered('accept') + answered('reject')).toBeGreaterThan(0);
      expect(httpAnswers.get(500) ?? 0).toBe(0);
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
