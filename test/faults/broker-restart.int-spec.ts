import { setTimeout as sleep } from 'node:timers/promises';
import {
  dedicatedBrokerUnavailable,
  startDedicatedBroker,
  type DedicatedBroker,
} from '../harness/dedicated-broker';
import { kafkaClient, publishInBackground, publishInput } from '../harness/editor-events';
import { startProjector, type ProjectorProcess } from '../harness/projector';
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
 * Fault (b): the Kafka broker stopped and started again while editor events flow, on a broker of
 * the test's own so the run's shared one is left alone. The editor's producer keeps resending what
 * it could not deliver, as a real one would; the projector must ride it out without exiting.
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 5_000);
const BROKER_DOWN_MS = 5_000;
const PUBLISHING_MS = 20_000;
const unavailable = dedicatedBrokerUnavailable();
const report = new FaultReport(
  `Kafka broker restarted mid-stream (${EVENTS.toLocaleString('en')} events)`,
);

describeFaultRun('credit projector across a Kafka broker restart', unavailable, () => {
  let broker: DedicatedBroker | undefined;
  let projector: ProjectorProcess | undefined;
  afterAll(async () => {
    if (projector) report.keepLog('projector', projector.process.stdout);
    report.print();
    // Also when the run failed: a process left running keeps jest from exiting.
    await projector?.process.stop('SIGTERM');
    await broker?.destroy();
  });

  it('the broker stopped and started mid-stream: ledgers equal the oracle, nothing charged twice, every malformed message dead-lettered, the projector still running, reconcile clean', async () => {
    broker = await startDedicatedBroker();
    const world = faultWorld('broker', {
      brokers: broker.brokers,
    });
    report.note(`started a broker of this test's own on ${broker.brokers}`);
    const input = faultInput(world.prefix, EVENTS, 2468);
    report.note(`input: ${input.description}`);
    projector = await startProjector(world.prefix, worldEnv(world));
    report.note('started a projector process');

    // The first third of the stream before the stop; the rest is being sent while the broker
    // stops, stays down and comes back, so both sides of the projector see the outage.
    const kafka = kafkaClient('broker-faults', world.brokers);
    const cut = Math.round(input.stream.length / 3);
    await publishInput(kafka, world.prefix, input.stream.slice(0, cut), { history: world.history });
    await waitForProgress(world, input, 1 / 6);
    let published = false;
    const rest = input.stream.slice(cut);
    const publishing = publishInBackground(kafka, world.prefix, rest, {
      history: world.history,
      resendFor: 120_000,
      // About twenty seconds of publishing, whatever the size: the restart falls inside it.
      pauseMs: PUBLISHING_MS / Math.ceil(rest.length / 1_000),
    });
    void publishing.done.then(
      () => (published = true),
      () => undefined,
    );
    await publishing.started;
    report.note(
      `stopping the broker after ${await storedLedgerEvents(world, input)} of ${input.ledgerEvents} ledger events, with ${rest.length} messages still to publish`,
    );
    await broker.stop();
    await sleep(BROKER_DOWN_MS);
    report.note(`broker down for ${BROKER_DOWN_MS / 1000} s; starting it`);
    await broker.start();
    const kafkaErrors = projector.process.stdout.filter(
      (line) => line.includes('"component":"kafkajs"') && /"level":(40|50)/.test(line),
    ).length;
    report.note(
      `broker started again; the projector logged ${kafkaErrors} Kafka warnings and errors meanwhile; the editor's producer was ${published ? 'done' : 'still publishing'}`,
    );
    expect(published).toBe(false);
    expect(kafkaErrors).toBeGreaterThan(0);
    const { resent } = await publishing.done;
    report.note(`every message published (${resent} batch sends failed and were sent again)`);

    await checkAgainstOracle(world, input, report);
    const renewals = projector.process.stdout.filter((line) =>
      line.includes('lost step with the producer'),
    ).length;
    report.note(`the projector renewed its Kafka producer ${renewals} times`);
    expect(projector.process.child.exitCode).toBeNull();
    report.note('checked: the projector process never exited');
  }, 900_000);
});
