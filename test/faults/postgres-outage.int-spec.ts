import { setTimeout as sleep } from 'node:timers/promises';
import { kafkaClient, publishInput } from '../harness/editor-events';
import { startProjector, type ProjectorProcess } from '../harness/projector';
import {
  createThrowawayPostgres,
  throwawayPostgresUnavailable,
  type ThrowawayPostgres,
} from '../harness/throwaway-postgres';
import { faultInput } from './fault-input';
import { describeFaultRun, FaultReport } from './fault-report';
import {
  checkAgainstOracle,
  faultWorld,
  storedLedgerEvents,
  waitForProgress,
  worldEnv,
} from './oracle-checks';

/**
 * Fault (c): PostgreSQL, the event store, stopped the hard way for longer than the consumer
 * session timeout while editor events flow, then started. It runs on a cluster the test makes with
 * the server's own initdb and pg_ctl, never the machine's shared server. Two projectors share the
 * partitions: they must keep their membership (or hand partitions over cleanly), commit nothing
 * that is not durable, and carry on once the store is back.
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 5_000);
const SESSION_TIMEOUT_MS = 6_000;
const OUTAGE_MS = SESSION_TIMEOUT_MS * 2;
const unavailable = throwawayPostgresUnavailable();
const report = new FaultReport(
  `PostgreSQL stopped for ${OUTAGE_MS / 1000} s mid-stream (${EVENTS.toLocaleString('en')} events)`,
);

describeFaultRun('credit projector across a PostgreSQL outage', unavailable, () => {
  let postgres: ThrowawayPostgres | undefined;
  afterAll(async () => {
    report.print();
    await postgres?.destroy();
  });

  it('the event store stopped for longer than the session timeout, then started: ledgers equal the oracle, nothing charged twice, every malformed message dead-lettered, both projectors still running, reconcile clean', async () => {
    postgres = await createThrowawayPostgres();
    const world = faultWorld('pgdown', {
      databaseUrl: postgres.databaseUrl,
    });
    report.note(`made a throwaway PostgreSQL cluster: ${postgres.databaseUrl}`);
    const input = faultInput(world.prefix, EVENTS, 1357);
    report.note(`input: ${input.description}`);
    const env = { ...worldEnv(world), PROJECTOR_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) };
    const projectors: ProjectorProcess[] = [
      await startProjector(world.prefix, env),
      await startProjector(world.prefix, env),
    ];
    report.note(
      `started two projector processes in one consumer group (session timeout ${SESSION_TIMEOUT_MS / 1000} s)`,
    );

    const kafka = kafkaClient('postgres-faults', world.brokers);
    const publishing = publishInput(kafka, world.prefix, input.stream, { history: world.history });
    await waitForProgress(world, input, 1 / 3);
    const atStop = await storedLedgerEvents(world, input);
    await postgres.stop();
    report.note(
      `stopped PostgreSQL (immediate mode) after ${atStop} of ${input.ledgerEvents} ledger events`,
    );
    await sleep(OUTAGE_MS);
    await postgres.start();
    const retries = projectors
      .flatMap((projector) => projector.process.stdout)
      .filter((line) => line.includes('event store unavailable: retrying')).length;
    report.note(
      `started PostgreSQL again after ${OUTAGE_MS / 1000} s; meanwhile the projectors logged ${retries} retries with backoff`,
    );
    expect(retries).toBeGreaterThan(0);
    const resumed = await waitForProgress(world, input, (atStop + 1) / input.ledgerEvents);
    report.note(`appending resumed: ${resumed} of ${input.ledgerEvents} ledger events`);
    await publishing;

    await checkAgainstOracle(world, input, report);
    expect(projectors.map((projector) => projector.process.child.exitCode)).toEqual([null, null]);
    report.note('checked: neither projector process exited');
    await Promise.all(projectors.map((projector) => projector.process.stop('SIGTERM')));
  }, 900_000);
});
