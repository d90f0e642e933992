import {
  dedicatedBrokerUnavailable,
  startDedicatedBroker,
  type DedicatedBroker,
} from '../harness/dedicated-broker';
import {
  kafkaClient,
  messagesInInputTopics,
  publishInBackground,
  publishInput,
} from '../harness/editor-events';
import { eventually, untilAnswer } from '../harness/eventually';
import { startProjector, type ProjectorProcess } from '../harness/projector';
import { smallDiskUnavailable } from '../harness/small-disk';
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
 * A Kafka broker out of disk space while events flow: a broker of the run's own keeps its data
 * on a small tmpfs, which the run fills with a file. Its next write fails, its only log
 * directory goes offline, and it halts, as Kafka does when no log directory is left. The
 * projector can then neither fetch nor commit: /ready and `credits status` must say why, and
 * once space is back and the broker started again, the projector must catch up with nothing
 * acknowledged lost. FAULTS_EVENTS sizes it.
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 2_000);
/** Room for the input, its decisions and dead letters, and the broker's metadata and indexes. */
const DISK_MB = 160 + Math.ceil(EVENTS / 1_000) * 4;
const unavailable = dedicatedBrokerUnavailable() ?? smallDiskUnavailable();
const report = new FaultReport(
  `Kafka broker out of disk space mid-stream (${EVENTS.toLocaleString('en')} events)`,
);

describeFaultRun('credit projector across a full disk of the Kafka broker', unavailable, () => {
  let broker: DedicatedBroker | undefined;
  let projector: ProjectorProcess | undefined;
  afterAll(async () => {
    report.print();
    await projector?.process.stop('SIGTERM');
    await broker?.destroy();
  });

  it("the broker's disk filled mid-stream, then emptied: the broker halts, /ready and credits status say Kafka cannot be reached, and once it is back the projector catches up with nothing lost", async () => {
    broker = await startDedicatedBroker({ diskMb: DISK_MB });
    const disk = broker.disk!;
    const world = faultWorld('brokerfull', { brokers: broker.brokers });
    report.note(`started a broker of the run's own, its data on a ${DISK_MB} MB tmpfs`);
    const input = faultInput(world.prefix, EVENTS, 6113);
    report.note(`input: ${input.description}`);
    projector = await startProjector(world.prefix, worldEnv(world));
    const readyUrl = projector.metricsUrl.replace(/\/metrics$/, '/ready');
    const kafka = kafkaClient('broker-full', world.brokers);
    const third = Math.round(input.stream.length / 3);
    await publishInput(kafka, world.prefix, input.stream.slice(0, third), {
      history: world.history,
    });
    await waitForProgress(world, input, 1 / 6);
    const rest = input.stream.slice(third);
    const publishing = publishInBackground(kafka, world.prefix, rest, {
      history: world.history,
      resendFor: 300_000,
      batchSize: 200,
      pauseMs: 100,
    });
    await publishing.started;
    const filled = disk.fill();
    report.note(
      `filled the tmpfs (${(filled / 2 ** 20).toFixed(1)} MB of ballast) after ${await storedLedgerEvents(world, input)} of ${input.ledgerEvents} ledger events`,
    );

    const stillRunning = await eventually(
      () => broker!.running(),
      (running) => !running,
      60_000,
    );
    report.note(`checked: the broker ${stillRunning ? 'still runs' : 'halted'} on the full disk`);
    expect(stillRunning).toBe(false);

    const ready = await untilAnswer(readyUrl, (body) => body.includes('latest: '));
    const problem = (JSON.parse(ready) as { problems: string[] }).problems.find((line) =>
      line.includes('not in its group'),
    );
    report.note(`checked: /ready answers not ready, saying: ${problem}`);
    expect(problem).toMatch(/latest: .*(connect|Connection|broker)/i);

    const status = await projectorsInStatus(world, [projector]);
    report.note(`credits status exited ${status.code}: ${status.stdout.slice(0, 1_500)}`);
    expect(status.code).toBe(1);
    expect((JSON.parse(status.stdout) as { kafkaUnknown: string | null }).kafkaUnknown).toMatch(
      /does not answer/,
    );
    const { projectors } = status;
    expect(projectors).toEqual([
      { projector: expect.any(String), ready: false, problems: expect.stringMatching(/latest: /) },
    ]);

    disk.free();
    await broker.start();
    report.note('deleted the ballast and started the broker again');
    await publishing.done;
    const inTopic = await messagesInInputTopics(kafka, world.prefix);
    report.note(`the input topics hold ${inTopic} messages for ${input.stream.length} sent`);
    expect(inTopic).toBeGreaterThanOrEqual(input.stream.length);
    await checkAgainstOracle(world, input, report);
    expect(projector.process.child.exitCode).toBeNull();
    report.note('checked: the projector process never exited');
  }, 900_000);
});
