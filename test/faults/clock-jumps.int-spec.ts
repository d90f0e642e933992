import { accountDecider, nextDueMs } from '@credits/domain';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { projectorGroupId } from '../../libs/kafka/src/group-offsets';
import { topicNames } from '../../libs/kafka/src/topics';
import {
  kafkaClient,
  publishInBackground,
  publishInput,
  readTopic,
} from '../harness/editor-events';
import { eventually } from '../harness/eventually';
import { FakeClock, fakeClockUnavailable } from '../harness/fake-clock';
import { storedLedgers } from '../harness/ledger-oracle';
import { startProjector } from '../harness/projector';
import { faultInput } from './fault-input';
import { describeFaultRun, FaultReport } from './fault-report';
import { checkAgainstOracle, faultWorld, waitForProgress, worldEnv } from './oracle-checks';

/**
 * The projector's wall clock jumps while its sweeper records the lapses of idle accounts, mid-run:
 * back an hour, then forward a day. The clock starts at the input month's last day, so the
 * sweeper races the consumer over accounts whose holds fall due as their events come (late ones
 * among them), and the forward jump crosses the allowances' period end. The oracles replay each
 * sweep at the clock reading its events name, so a sweep that lapsed anything not yet due, or
 * left anything due, or a lapse repeated after the jump back, differs from them. Between the
 * jumps the projector idles past its group session, which only heartbeats then keep (kafkajs
 * sent none after the clock went back until libs/kafka fixed it). FAULTS_EVENTS sizes it.
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 3_000);
const HOUR_MS = 3_600_000;
const START = new Date('2026-11-30T12:00:00Z');
const BACK = new Date(START.getTime() - HOUR_MS);
const FORWARD = new Date(BACK.getTime() + 24 * HOUR_MS);
const SESSION_TIMEOUT_MS = 6_000;
const report = new FaultReport(
  `projector clock back an hour, then forward a day (${EVENTS.toLocaleString('en')} events)`,
);

const said = (record: string) => (JSON.parse(record) as { msg: string }).msg;

/** The group's state and its members' ids, as the coordinator describes them. */
async function describeGroup(kafka: Kafka, groupId: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [group] = (await admin.describeGroups([groupId])).groups;
    const members = (group?.members ?? []).map(({ memberId }) => memberId).sort();
    return `${group?.state ?? 'unknown'} [${members.join(', ')}]`;
  } finally {
    await admin.disconnect();
  }
}

async function clockJumps(metricsUrl: string): Promise<Record<string, number>> {
  const metrics = await (await fetch(metricsUrl)).text();
  const counts: Record<string, number> = {};
  for (const [, direction, count] of metrics.matchAll(
    /^credits_projector_clock_jumps_total\{direction="(\w+)"\} (\d+)/gm,
  ))
    counts[direction as string] = Number(count);
  return counts;
}

/**
 * Waits (up to two minutes) until no stored ledger has a hold lapse or grant end due by `at`
 * left to record: the sweeps after the jump forward have recorded all of it.
 */
async function expectNothingDueBy(
  databaseUrl: string,
  accounts: ReadonlySet<string>,
  at: Date,
): Promise<void> {
  const decider = accountDecider();
  const unrecorded = async () =>
    [...(await storedLedgers(databaseUrl, accounts))].flatMap(([accountId, ledger]) => {
      const dueMs = nextDueMs(
        ledger.reduce((state, event) => decider.evolve(state, event), decider.initialState),
      );
      return dueMs !== null && dueMs <= at.getTime() ? [accountId] : [];
    });
  const left = await eventually(unrecorded, (found) => found.length === 0, 120_000);
  report.note(
    `checked: ${left.length} accounts with something due by ${at.toISOString()} left unrecorded${left.length > 0 ? `: ${left.slice(0, 3).join(', ')}` : ''}`,
  );
  expect(left).toEqual([]);
}

describeFaultRun('credit projector across clock jumps', fakeClockUnavailable(), () => {
  let clock: FakeClock | undefined;
  afterAll(() => {
    report.print();
    clock?.destroy();
  });

  it('back an hour, then forward a day, while the sweeper runs: every sweep lapsed exactly what was due by its reading, nothing reopened or repeated, nothing due by the last reading left, each jump logged and counted', async () => {
    const world = faultWorld('clock');
    const groupId = projectorGroupId(world.prefix);
    const input = faultInput(world.prefix, EVENTS, 4242);
    report.note(`input: ${input.description}`);
    const fakeClock = new FakeClock(START);
    clock = fakeClock;
    const projector = await startProjector(world.prefix, {
      ...worldEnv(world),
      ...fakeClock.env,
      PROJECTOR_SWEEP_INTERVAL_MS: '200',
      PROJECTOR_CLOCK_JUMP_ALERT_MS: '600000',
      PROJECTOR_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    });
    report.note(
      `started a projector whose wall clock reads ${START.toISOString()}, sweeping every 200 ms`,
    );
    /** Sets the clock, and waits for the projector to log the jump. */
    const jump = async (to: Date, direction: 'backward' | 'forward') => {
      fakeClock.setTo(to);
      const logged = new RegExp(`the wall clock jumped ${direction}`);
      const line = await projector.process.waitForLine(logged, 60_000, 'log');
      report.note(`set the clock to ${to.toISOString()}; the projector logged: ${said(line)}`);
    };
    const kafka = kafkaClient('clock-jumps', world.brokers);
    const half = Math.floor(input.stream.length / 2);
    const options = { history: world.history, pauseMs: 300 };
    await publishInput(kafka, world.prefix, input.stream.slice(0, half), options);
    await waitForProgress(world, input, 1 / 4);
    await jump(BACK, 'backward');
    // Idle past the session: only heartbeats keep the member in its group now, and kafkajs
    // sends none while the clock reads before its last one (see libs/kafka/src/kafkajs-heartbeat.ts).
    const member = await describeGroup(kafka, groupId);
    await sleep(2 * SESSION_TIMEOUT_MS);
    const stillMember = await describeGroup(kafka, groupId);
    report.note(
      `checked: idle for ${(2 * SESSION_TIMEOUT_MS) / 1000} s after the jump back, the group was ${member} and is ${stillMember}`,
    );
    expect(member).toMatch(/^Stable \[[^,]+\]$/);
    expect(stillMember).toEqual(member);

    const publishing = publishInBackground(kafka, world.prefix, input.stream.slice(half), options);
    await waitForProgress(world, input, 3 / 4);
    await jump(FORWARD, 'forward');
    await publishing.done;

    await expectNothingDueBy(world.databaseUrl, input.accounts, FORWARD);
    await checkAgainstOracle(world, input, report);
    const jumps = await clockJumps(projector.metricsUrl);
    report.note(`checked: credits_projector_clock_jumps_total ${JSON.stringify(jumps)}`);
    expect(jumps).toEqual({ backward: 1, forward: 1 });
    const readings = new Set(
      [...(await storedLedgers(world.databaseUrl, input.accounts)).values()]
        .flat()
        .flatMap((event) => (event.sweptAt ? [event.sweptAt] : [])),
    );
    const afterJump = [...readings].filter((at) => Date.parse(at) >= FORWARD.getTime());
    report.note(
      `checked: the ledgers name ${readings.size} sweep readings, ${afterJump.length} of them after the forward jump`,
    );
    expect(afterJump.length).toBeGreaterThan(0);

    // The projector's output is stamped by the broker: stamped by the projector's clock, a
    // week behind, the 24 h retention deleted the dead letters as they were written.
    const topics = topicNames(world.prefix);
    const skewed: string[] = [];
    for (const topic of [topics.editorEventsDeadLetters, topics.creditDecisions]) {
      const messages = await readTopic(kafka, topic);
      const off = messages.filter(({ timestamp }) => Math.abs(timestamp - Date.now()) > HOUR_MS);
      skewed.push(...off.map(({ partition, offset }) => `${topic}/${partition}@${offset}`));
      report.note(
        `checked: ${messages.length} messages in ${topic}, ${off.length} stamped more than an hour from the broker's clock`,
      );
    }
    expect(skewed).toEqual([]);
    await projector.process.stop('SIGTERM');
  }, 900_000);
});
