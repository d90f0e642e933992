import type { Kafka } from 'kafkajs';
import { inputTopicNames, projectorGroupId, topicNames } from '@credits/kafka';
import { untilAnswer } from '../harness/eventually';
import { kafkaClient, publishInBackground } from '../harness/editor-events';
import { consumerCrashes, startProjector } from '../harness/projector';
import { smallDiskUnavailable } from '../harness/small-disk';
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
  projectorsInStatus,
  storedLedgerEvents,
  waitForProgress,
  worldEnv,
} from './oracle-checks';

/**
 * PostgreSQL out of disk space while events flow: the run's database lives in a tablespace on
 * a small tmpfs, which the run fills with a file, and later empties. Appends then fail with
 * disk_full: the projector must wait, commit no offset meanwhile, say why on /ready, in
 * `credits status` and in the metric its alert reads, and catch up with nothing lost once space
 * returns. FAULTS_EVENTS sizes it.
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 3_000);
const DISK_MB = 64 + Math.ceil(EVENTS / 1_000) * 8;
const unavailable = throwawayPostgresUnavailable() ?? smallDiskUnavailable();
const report = new FaultReport(
  `PostgreSQL out of disk space mid-stream (${EVENTS.toLocaleString('en')} events)`,
);

const storeFullRetries = (metrics: string) =>
  Number(
    /^credits_projector_store_retries_total\{failure="store_full"\} (\d+)/m.exec(metrics)?.[1] ?? 0,
  );

async function committedOffsets(kafka: Kafka, prefix: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchOffsets({
      groupId: projectorGroupId(prefix),
      topics: [...inputTopicNames(topicNames(prefix))],
    });
    return JSON.stringify(offsets);
  } finally {
    await admin.disconnect();
  }
}

describeFaultRun('credit projector across a full disk of PostgreSQL', unavailable, () => {
  let postgres: ThrowawayPostgres | undefined;
  afterAll(async () => {
    report.print();
    await postgres?.destroy();
  });

  it('the tablespace filled mid-stream, then emptied: the projector waits and commits nothing, /ready, credits status and the metric name the full disk, and it catches up with nothing lost', async () => {
    postgres = await createThrowawayPostgres({ diskMb: DISK_MB });
    const disk = postgres.disk!;
    const world = faultWorld('diskfull', { databaseUrl: postgres.databaseUrl });
    report.note(`made a throwaway PostgreSQL cluster, its database on a ${DISK_MB} MB tmpfs`);
    const input = faultInput(world.prefix, EVENTS, 8080);
    report.note(`input: ${input.description}`);
    const projector = await startProjector(world.prefix, worldEnv(world));
    const readyUrl = projector.metricsUrl.replace(/\/metrics$/, '/ready');
    const kafka = kafkaClient('disk-full', world.brokers);
    const publishing = publishInBackground(kafka, world.prefix, input.stream, {
      history: world.history,
      pauseMs: 500,
    });
    await waitForProgress(world, input, 1 / 3);
    const filled = disk.fill();
    const atFill = await storedLedgerEvents(world, input);
    report.note(
      `filled the tmpfs (${(filled / 2 ** 20).toFixed(1)} MB of ballast) after ${atFill} of ${input.ledgerEvents} ledger events`,
    );

    const ready = await untilAnswer(readyUrl, (body) => body.includes('store_full'));
    const problem = (JSON.parse(ready) as { problems: string[] }).problems.find((line) =>
      line.includes('store_full'),
    );
    report.note(`checked: /ready answers not ready, saying: ${problem}`);
    expect(problem).toMatch(/out of disk space/);

    // Writes in flight when the disk filled may still commit: the offsets are read once the
    // projector has failed three writes on the full disk, and again after three more.
    const retriesAt = (count: number) =>
      untilAnswer(projector.metricsUrl, (metrics) => storeFullRetries(metrics) >= count);
    const seen = storeFullRetries(await retriesAt(3));
    const before = await committedOffsets(kafka, world.prefix);
    const storedBefore = await storedLedgerEvents(world, input);
    await retriesAt(seen + 3);
    const after = await committedOffsets(kafka, world.prefix);
    const storedAfter = await storedLedgerEvents(world, input);
    report.note(
      `checked: over three more failed writes, committed offsets ${after === before ? 'did not move' : 'MOVED'} and ledger events stayed ${storedBefore} (now ${storedAfter})`,
    );
    expect({ offsets: after, stored: storedAfter }).toEqual({
      offsets: before,
      stored: storedBefore,
    });

    const { projectors } = await projectorsInStatus(world, [projector]);
    report.note(`checked: credits status shows the projector: ${JSON.stringify(projectors)}`);
    expect(projectors).toEqual([
      {
        projector: expect.any(String),
        ready: false,
        problems: expect.stringMatching(/out of disk space/),
      },
    ]);

    // Past the writer's bounds, the consumer gives the chunk up and is started again: still
    // nothing may be committed.
    await untilAnswer(projector.metricsUrl, (metrics) => consumerCrashes(metrics) >= 1);
    const afterRestart = await committedOffsets(kafka, world.prefix);
    report.note(
      `checked: the consumer gave up its chunk and was started again; committed offsets ${afterRestart === before ? 'still did not move' : 'MOVED'}`,
    );
    expect(afterRestart).toEqual(before);

    disk.free();
    report.note('deleted the ballast: space is back');
    const resumed = await waitForProgress(world, input, (storedAfter + 1) / input.ledgerEvents);
    report.note(`appending resumed: ${resumed} of ${input.ledgerEvents} ledger events`);
    await publishing.done;
    await checkAgainstOracle(world, input, report);
    const readyAgain = await untilAnswer(readyUrl, (body) => !body.includes('store_full'));
    report.note(`checked: /ready no longer names the full disk: ${readyAgain.slice(0, 200)}`);
    expect(projector.process.child.exitCode).toBeNull();
    await projector.process.stop('SIGTERM');
  }, 900_000);
});
