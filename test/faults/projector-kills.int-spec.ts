import { kafkaClient, publishInput, seededRandom } from '../harness/editor-events';
import { startProjector, type ProjectorProcess } from '../harness/projector';
import { faultInput } from './fault-input';
import { FaultReport } from './fault-report';
import {
  checkAgainstOracle,
  storedLedgerEvents,
  waitForProgress,
  faultWorld,
} from './oracle-checks';

/**
 * Faults (a), (d), (e), (f) with an oracle: while editor events flow, each delivered one to three
 * times and interleaved with malformed ones, two projector processes share the partitions and
 * are killed with SIGKILL at random points and restarted. FAULTS_EVENTS and FAULTS_KILLS size it
 * (npm run test:faults runs the full size; npm test a bounded one).
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 5_000);
const KILLS = Number(process.env.FAULTS_KILLS ?? 2);
const report = new FaultReport(
  `projector SIGKILLs (${EVENTS.toLocaleString('en')} events, ${KILLS} kills)`,
);

describe('credit projector killed while two processes share the partitions, checked against the oracle', () => {
  afterAll(() => report.print());

  it('SIGKILLs of two projectors sharing the partitions, redeliveries and malformed messages: ledgers equal the oracle, nothing charged twice, every malformed message dead-lettered, nothing below zero, reconcile clean', async () => {
    const world = faultWorld('faults');
    const random = seededRandom(1234);
    const input = faultInput(world.prefix, EVENTS, 4320);
    report.note(`input: ${input.description}`);

    const projectors: ProjectorProcess[] = [
      await startProjector(world.prefix),
      await startProjector(world.prefix),
    ];
    report.note('started two projector processes in one consumer group');
    const kafka = kafkaClient('faults', world.brokers);
    const publishing = publishInput(kafka, world.prefix, input.stream, { history: world.history });
    for (let kill = 1; kill <= KILLS; kill += 1) {
      await waitForProgress(world, input, kill / (KILLS + 1));
      const victim = Math.floor(random() * projectors.length);
      projectors[victim]!.process.child.kill('SIGKILL');
      await projectors[victim]!.process.exited;
      report.note(
        `kill ${kill}: SIGKILL to projector ${victim} after ${await storedLedgerEvents(world, input)} of ${input.ledgerEvents} ledger events; restarting it`,
      );
      projectors[victim] = await startProjector(world.prefix);
    }
    await publishing;
    await checkAgainstOracle(world, input, report);
    await Promise.all(projectors.map((projector) => projector.process.stop('SIGTERM')));
  }, 900_000);
});
