import { CRASH_POINTS } from '@credits/config';
import {
  kafkaClient,
  projectorConsumed,
  publishInput,
  seededRandom,
} from '../harness/editor-events';
import { startProjector, type ProjectorProcess } from '../harness/projector';
import type { Kafka } from 'kafkajs';
import { faultInput } from './fault-input';
import { FaultReport } from './fault-report';
import { checkAgainstOracle, storedLedgerEvents, faultWorld } from './oracle-checks';

/**
 * The projector SIGKILLs itself at each boundary of a chunk's commits (PROJECTOR_CRASH_AT):
 * before the store's commit, after it and before the decisions are published, after publishing
 * and before the offsets are committed, after the offsets. Each life gets a slice of the input
 * and dies on its 1st to 3rd chunk to reach its point; the next life takes over. FAULTS_EVENTS
 * and FAULTS_KILLS_PER_POINT size it (npm run test:faults runs the full size; npm test one kill
 * per point).
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 3_000);
const KILLS_PER_POINT = Number(process.env.FAULTS_KILLS_PER_POINT ?? 1);
const report = new FaultReport(
  `projector killed at each commit boundary (${EVENTS.toLocaleString('en')} events, ${KILLS_PER_POINT} per point)`,
);

/**
 * Resolves once the projector has ended (it killed itself) or has consumed everything without
 * doing so; how the process ended, not this, tells which.
 */
async function untilKilledOrCaughtUp(
  projector: ProjectorProcess,
  kafka: Kafka,
  prefix: string,
): Promise<void> {
  let ended = false;
  void projector.process.exited.then(() => (ended = true));
  while (!ended) {
    const caughtUp = await projectorConsumed(kafka, prefix, 1).then(
      () => true,
      () => false,
    );
    if (caughtUp) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('credit projector killed at each commit boundary, checked against the oracle and the history', () => {
  afterAll(() => report.print());

  it('a SIGKILL before the store commits, after it, after publishing, after the offsets: nothing lost, nothing applied twice, ledgers equal the oracle', async () => {
    const world = faultWorld('boundary');
    const random = seededRandom(5150);
    const input = faultInput(world.prefix, EVENTS, 5151);
    report.note(`input: ${input.description}`);
    const lives = CRASH_POINTS.flatMap((point) =>
      Array.from({ length: KILLS_PER_POINT }, () => point),
    );
    const sliceSize = Math.ceil(input.stream.length / (lives.length + 1));
    const slice = (index: number) => input.stream.slice(index * sliceSize, (index + 1) * sliceSize);
    const kafka = kafkaClient('boundary', world.brokers);
    const killed = new Map<string, number>();
    for (const [index, point] of lives.entries()) {
      const onReach = 1 + Math.floor(random() * 3);
      const projector = await startProjector(world.prefix, {
        PROJECTOR_CRASH_AT: point,
        PROJECTOR_CRASH_ON_REACH: String(onReach),
      });
      await publishInput(kafka, world.prefix, slice(index), { history: world.history });
      await untilKilledOrCaughtUp(projector, kafka, world.prefix);
      // A kill right after the last offset commit can come after the group is seen caught up:
      // how the process ended says which it was.
      const { signal } = await projector.process.stop('SIGTERM');
      if (signal === 'SIGKILL') killed.set(point, (killed.get(point) ?? 0) + 1);
      report.note(
        `life ${index + 1}: ${signal === 'SIGKILL' ? `killed itself ${point}, on reach ${onReach}` : `caught up before reaching ${point} ${onReach} times`}, with ${await storedLedgerEvents(world, input)} of ${input.ledgerEvents} ledger events stored`,
      );
    }
    report.note(`kills per point: ${JSON.stringify(Object.fromEntries(killed))}`);
    for (const point of CRASH_POINTS)
      expect([point, killed.get(point)]).toEqual([point, KILLS_PER_POINT]);
    const last = await startProjector(world.prefix);
    await publishInput(kafka, world.prefix, slice(lives.length), { history: world.history });
    await checkAgainstOracle(world, input, report);
    await last.process.stop('SIGTERM');
  }, 900_000);
});
