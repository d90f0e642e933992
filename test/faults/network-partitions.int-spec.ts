import type { Kafka } from 'kafkajs';
import { projectorGroupId, topicNames } from '@credits/kafka';
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
  type RawMessage,
} from '../harness/editor-events';
import { eventually } from '../harness/eventually';
import { NetworkLab, networkLabUnavailable } from '../harness/network-lab';
import { PROJECTOR_NODE_FLAGS, startProjector, type ProjectorProcess } from '../harness/projector';
import {
  createThrowawayPostgres,
  throwawayPostgresUnavailable,
  type ThrowawayPostgres,
} from '../harness/throwaway-postgres';
import { faultInput, type FaultInput } from './fault-input';
import { describeFaultRun, FaultReport } from './fault-report';
import {
  checkAgainstOracle,
  faultWorld,
  storedLedgerEvents,
  waitForProgress,
  worldEnv,
  type FaultWorld,
} from './oracle-checks';

/**
 * Network partitions: three brokers and the projector each in a network namespace of their own,
 * joined by a bridge to the host, where this run and its PostgreSQL are. Four faults in turn,
 * each while a slice of the input is published, each held and then healed:
 *   1. the leader of an input partition cut off from its followers, not from clients;
 *   2. the projector cut off from every broker, past its group session;
 *   3. the projector cut off from PostgreSQL;
 *   4. every link lossy (and slow, where the kernel has netem), so requests time out with their
 *      outcomes unknown.
 * Nothing acknowledged may be lost, nothing applied twice, and the projector must catch up to
 * the end of its input. FAULTS_EVENTS sizes it.
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 2_000);
/** Past a broker's session with the controller (9 s), so the cut leader is fenced. */
const LEADER_CUT_MS = 12_000;
/** Past the projector's group session (6 s), so its partitions are taken away. */
const PROJECTOR_CUT_MS = 8_000;
const DEGRADED_MS = 10_000;
const BROKERS = ['broker-1', 'broker-2', 'broker-3'] as const;
const unavailable =
  networkLabUnavailable() ?? dedicatedBrokerUnavailable() ?? throwawayPostgresUnavailable();
const report = new FaultReport(
  `network partitions between brokers, projector and PostgreSQL (${EVENTS.toLocaleString('en')} events)`,
);

/** A fault's duration: its shape, not an ordering the run waits on. */
const hold = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many members the group has, as its coordinator says. */
async function groupMembers(kafka: Kafka, groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.members.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}

/** The node id (1-based) leading partition 0 of the editor-events topic, and its replicas in sync. */
async function leaderOfFirstPartition(kafka: Kafka, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partition = topics[0]!.partitions.find((p) => p.partitionId === 0)!;
    return { leader: partition.leader, inSync: partition.isr };
  } finally {
    await admin.disconnect();
  }
}

describeFaultRun('credit projector across network partitions', unavailable, () => {
  let lab: NetworkLab | undefined;
  let cluster: DedicatedBroker | undefined;
  let postgres: ThrowawayPostgres | undefined;
  let projector: ProjectorProcess | undefined;
  afterAll(async () => {
    report.print();
    // Each in turn, whatever the one before did: the lab last, once nothing runs in it.
    const steps: (() => Promise<unknown> | undefined)[] = [
      () => projector?.process.stop('SIGKILL'),
      () => cluster?.destroy(),
      () => postgres?.destroy(),
      () => lab?.destroy(),
    ];
    for (const step of steps)
      await Promise.resolve()
        .then(step)
        .catch((error: Error) => console.error(`cleaning up: ${error.message}`));
  });

  it('the leader cut from its followers, the projector cut from the brokers and from PostgreSQL, every link lossy, each healed: nothing acknowledged lost, nothing applied twice, lag back to zero', async () => {
    lab = await NetworkLab.create([...BROKERS, 'projector']);
    report.note(
      `a network of its own: ${[...BROKERS, 'projector'].map((m) => `${m} ${lab!.address(m)}`).join(', ')}, the host ${lab.hostAddress}`,
    );
    postgres = await createThrowawayPostgres({
      alsoOn: { address: lab.hostAddress, clients: lab.cidr },
    });
    cluster = await startDedicatedBroker({
      nodes: 3,
      places: {
        hosts: BROKERS.map((broker) => lab!.address(broker)),
        namespaces: BROKERS.map((broker) => lab!.namespace(broker)),
      },
    });
    const world = faultWorld('partition', {
      brokers: cluster.brokers,
      databaseUrl: postgres.databaseUrl,
      env: { KAFKA_REPLICATION_FACTOR: '3' },
    });
    const input = faultInput(world.prefix, EVENTS, 4021);
    report.note(`input: ${input.description}`);
    projector = await startProjector(
      world.prefix,
      {
        ...worldEnv(world),
        DATABASE_URL: `postgres://postgres@${lab.hostAddress}:${postgres.port}/credits_faults`,
      },
      PROJECTOR_NODE_FLAGS,
      { lab, member: 'projector' },
    );
    report.note('started the projector in its namespace');

    const kafka = kafkaClient('partition-faults', world.brokers);
    const slices = slicesOf(input.stream, 5);
    await publishInput(kafka, world.prefix, slices[0]!, { history: world.history });
    await waitForProgress(world, input, 0.1);

    // Each fault is held while a slice of the input is published, then healed: the slice goes
    // in batches of 100 spread over the fault's time, through a client that gives up on a
    // request after a second and retries it once (an idempotent producer must retry), so a cut
    // leaves sends whose outcome is unknown (sent again until they go through, as an editor's
    // producer would).
    const impatient = kafkaClient('partition-faults-impatient', world.brokers, {
      requestTimeout: 1_000,
      retry: { retries: 1, initialRetryTime: 100 },
    });
    const during = async (slice: RawMessage[], heldMs: number, fault: () => Promise<void>) => {
      const publishing = publishInBackground(impatient, world.prefix, slice, {
        history: world.history,
        resendFor: 180_000,
        batchSize: 100,
        pauseMs: heldMs / Math.ceil(slice.length / 100),
      });
      await publishing.started;
      await fault();
      const { resent } = await publishing.done;
      report.note(`the slice of ${slice.length} messages published (${resent} sends resent)`);
      return resent;
    };

    const topic = topicNames(world.prefix).editorEvents;
    // Each fault must have taken effect, or the run proves nothing: the cut leader is replaced
    // and its sends time out; the cut projector is dropped from its group.
    let leaderBefore = 0;
    const resentAcrossLeaderCut = await during(slices[1]!, LEADER_CUT_MS, async () => {
      const before = await leaderOfFirstPartition(kafka, topic);
      leaderBefore = before.leader;
      const leader = BROKERS[before.leader - 1]!;
      const followers = BROKERS.filter((broker) => broker !== leader);
      await lab!.cut(leader, followers);
      report.note(
        `cut ${leader}, leader of ${topic}[0] (in sync: ${before.inSync.join(',')}), off from ${followers.join(' and ')}; clients still reach it`,
      );
      await hold(LEADER_CUT_MS);
      await lab!.heal(leader);
      report.note(`healed after ${LEADER_CUT_MS / 1000} s`);
    });
    const leaderAfter = await eventually(
      async () => (await leaderOfFirstPartition(kafka, topic)).leader,
      (leader) => leader !== leaderBefore,
      30_000,
    );
    report.note(
      `checked: partition 0 is led by node ${leaderAfter} (node ${leaderBefore} before the cut); ${resentAcrossLeaderCut} sends timed out and were sent again`,
    );
    expect(leaderAfter).not.toBe(leaderBefore);
    expect(resentAcrossLeaderCut).toBeGreaterThan(0);
    await progressed(world, input, report);

    await during(slices[2]!, PROJECTOR_CUT_MS, async () => {
      await lab!.cut('projector', [...BROKERS]);
      report.note(`cut the projector off from the three brokers`);
      await hold(PROJECTOR_CUT_MS);
      // Held until the coordinator has dropped the silent member, however long past its session.
      const members = await eventually(
        () => groupMembers(kafka, projectorGroupId(world.prefix)),
        (count) => count === 0,
        30_000,
      );
      await lab!.heal('projector');
      report.note(`checked: the group had ${members} members when the cut was healed`);
      expect(members).toBe(0);
    });
    await progressed(world, input, report);

    await during(slices[3]!, PROJECTOR_CUT_MS, async () => {
      await lab!.cut('projector', ['host'], postgres!.port);
      report.note(`cut the projector off from PostgreSQL (${lab!.hostAddress}:${postgres!.port})`);
      await hold(PROJECTOR_CUT_MS);
      await lab!.heal('projector');
      report.note(`healed after ${PROJECTOR_CUT_MS / 1000} s`);
    });
    await progressed(world, input, report);

    await during(slices[4]!, DEGRADED_MS, async () => {
      const degradation = { delayMs: 300, jitterMs: 200, lossPercent: 10 };
      const applied: string[] = [];
      for (const member of [...BROKERS, 'projector'])
        applied.push(`${member}: ${await lab!.degrade(member, degradation)}`);
      report.note(`degraded every link: ${applied.join('; ')}`);
      await hold(DEGRADED_MS);
      await lab!.healAll();
      report.note(`healed after ${DEGRADED_MS / 1000} s`);
    });

    const inTopic = await messagesInInputTopics(kafka, world.prefix);
    report.note(`the input topics hold ${inTopic} messages for ${input.stream.length} sent`);
    expect(inTopic).toBeGreaterThanOrEqual(input.stream.length);
    await checkAgainstOracle(world, input, report);
    expect(projector.process.child.exitCode).toBeNull();
    report.note('checked: the projector process never exited');
    report.keepLog('projector', [...projector.process.stdout, ...projector.process.stderr]);
  }, 900_000);
});

/** `count` slices of the stream, in order. */
function slicesOf(stream: readonly RawMessage[], count: number): RawMessage[][] {
  const size = Math.ceil(stream.length / count);
  return Array.from({ length: count }, (_, index) =>
    stream.slice(index * size, (index + 1) * size),
  );
}

/**
 * Waits until the ledger has grown after a heal, so the next fault meets a moving pipeline, and
 * says how long that took (or that it did not within two minutes: the oracle check then names
 * what is missing).
 */
async function progressed(world: FaultWorld, input: FaultInput, report: FaultReport) {
  const before = await storedLedgerEvents(world, input);
  if (before >= input.ledgerEvents) return;
  const started = Date.now();
  const after = await eventually(
    () => storedLedgerEvents(world, input),
    (now) => now > before,
    120_000,
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  report.note(
    after > before
      ? `the ledger grew again ${seconds} s after the heal (${after} of ${input.ledgerEvents} events)`
      : `the ledger did not grow for ${seconds} s after the heal: ${before} of ${input.ledgerEvents} events`,
  );
}
