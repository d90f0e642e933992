import { readFile } from 'node:fs/promises';
import type { Kafka } from 'kafkajs';
import { projectorGroupId } from '../../libs/kafka/src/group-offsets';
import { inputTopicNames, topicNames } from '../../libs/kafka/src/topics';
import { kafkaClient, publishInBackground } from '../harness/editor-events';
import { startProjector } from '../harness/projector';
import { faultInput } from './fault-input';
import { FaultReport } from './fault-report';
import { checkAgainstOracle, faultWorld, waitForProgress } from './oracle-checks';

/**
 * A projector paused past its group session while another member takes its partitions and
 * events keep flowing, then resumed (SIGCONT): its late appends must change nothing, its late
 * offset commits must never move a partition back, and it must rejoin. It pauses itself
 * (PROJECTOR_CRASH_SIGNAL=SIGSTOP) right after publishing a chunk's decisions, before committing
 * its offsets, so it resumes with a commit to make. FAULTS_EVENTS sizes it.
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 5_000);
const report = new FaultReport(
  `projector paused past its session (${EVENTS.toLocaleString('en')} events)`,
);

/** Polls until the process is stopped (state T in /proc). */
async function untilStopped(pid: number): Promise<void> {
  for (;;) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may hold spaces.
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls until the projector group has `count` members. */
async function untilMembers(kafka: Kafka, groupId: string, count: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (;;) {
      const { groups } = await admin.describeGroups([groupId]);
      if (groups[0]?.state === 'Stable' && groups[0].members.length === count) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the group's committed offsets over and over until stopped, and names every partition
 * whose committed offset ever went back.
 */
function watchCommits(kafka: Kafka, groupId: string, topics: readonly string[]) {
  let stopping = false;
  let reads = 0;
  const highest = new Map<string, bigint>();
  const regressions: string[] = [];
  const watching = (async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      while (!stopping) {
        const offsets = await admin.fetchOffsets({ groupId, topics: [...topics] });
        for (const { topic, partitions } of offsets)
          for (const { partition, offset } of partitions) {
            const key = `${topic}/${partition}`;
            const committed = BigInt(offset);
            const before = highest.get(key) ?? -1n;
            if (committed < before) regressions.push(`${key}: ${before} → ${committed}`);
            else highest.set(key, committed);
          }
        reads += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await admin.disconnect();
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await watching;
      return { reads, regressions };
    },
  };
}

describe('credit projector paused past its session, checked against the oracle and the history', () => {
  afterAll(() => report.print());

  it('stopped between publishing and committing, past the session, while another member takes over, then SIGCONT: nothing appended twice, no committed offset moves back, it rejoins', async () => {
    const world = faultWorld('paused');
    const input = faultInput(world.prefix, EVENTS, 2222);
    report.note(`input: ${input.description}`);
    const groupId = projectorGroupId(world.prefix);
    const projectors = [
      await startProjector(world.prefix, {
        PROJECTOR_CRASH_AT: 'after-publish',
        PROJECTOR_CRASH_ON_REACH: '3',
        PROJECTOR_CRASH_SIGNAL: 'SIGSTOP',
      }),
      await startProjector(world.prefix),
    ];
    const kafka = kafkaClient('paused', world.brokers);
    await untilMembers(kafka, groupId, 2);
    const commits = watchCommits(kafka, groupId, inputTopicNames(topicNames(world.prefix)));
    // Batches a second apart, so events keep flowing while the paused member is away.
    const publishing = publishInBackground(kafka, world.prefix, input.stream, {
      history: world.history,
      pauseMs: 2_000,
    });
    await publishing.started;
    await untilStopped(projectors[0]!.process.child.pid ?? 0);
    report.note('projector 0 stopped itself after publishing a chunk, before its offset commit');
    await untilMembers(kafka, groupId, 1);
    report.note('the coordinator gave projector 0’s partitions to projector 1');
    await waitForProgress(world, input, 1 / 3);
    projectors[0]!.process.child.kill('SIGCONT');
    report.note('SIGCONT to projector 0');
    await untilMembers(kafka, groupId, 2);
    report.note('projector 0 rejoined the group');
    await publishing.done;
    await checkAgainstOracle(world, input, report);
    const { reads, regressions } = await commits.stop();
    report.note(
      `checked: ${regressions.length} committed offsets moved back over ${reads} reads of the group's offsets${regressions.length > 0 ? `: ${regressions.slice(0, 5).join(', ')}` : ''}`,
    );
    expect(regressions).toEqual([]);
    const exits = projectors.filter(
      ({ process }) => process.child.exitCode !== null || process.child.signalCode !== null,
    );
    expect(exits).toEqual([]);
    await Promise.all(projectors.map(({ process }) => process.stop('SIGTERM')));
  }, 900_000);
});
