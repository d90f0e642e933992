import { topicNames } from '@credits/kafka';
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
  seededRandom,
} from '../harness/editor-events';
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
 * Fault (c): one broker of a three-broker KRaft cluster SIGKILLed while editor events flow, and
 * brought back. Topics are replicated three times with min.insync.replicas=2 and every producer
 * writes with acks=all, so a broker lost is nothing lost: the ledgers must equal the oracle's.
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 5_000);
const BROKER_DOWN_MS = 8_000;
const PUBLISHING_MS = 20_000;
const unavailable = dedicatedBrokerUnavailable();
const report = new FaultReport(
  `one of three Kafka brokers SIGKILLed mid-stream (${EVENTS.toLocaleString('en')} events)`,
);

describeFaultRun('credit projector across a lost broker of three', unavailable, () => {
  let cluster: DedicatedBroker | undefined;
  const projectors: ProjectorProcess[] = [];
  afterAll(async () => {
    report.print();
    await Promise.all(projectors.map((projector) => projector.process.stop('SIGTERM')));
    await cluster?.destroy();
  });

  it('a broker of three SIGKILLed and brought back mid-stream: ledgers equal the oracle, nothing charged twice, every malformed message dead-lettered, the projectors still running, reconcile clean', async () => {
    cluster = await startDedicatedBroker({ nodes: 3 });
    const world = faultWorld('cluster', {
      brokers: cluster.brokers,
      env: { KAFKA_REPLICATION_FACTOR: '3' },
    });
    report.note(`started a three-node cluster of this test's own on ${cluster.brokers}`);
    const input = faultInput(world.prefix, EVENTS, 9753);
    report.note(`input: ${input.description}`);
    projectors.push(
      await startProjector(world.prefix, worldEnv(world)),
      await startProjector(world.prefix, worldEnv(world)),
    );
    report.note(
      'started two projector processes (topics: replication factor 3, min.insync.replicas 2)',
    );

    const kafka = kafkaClient('cluster-faults', world.brokers);
    const topic = topicNames(world.prefix).editorEvents;
    {
      const admin = kafka.admin();
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: 2,
            name: topic,
            configNames: ['min.insync.replicas', 'unclean.leader.election.enable'],
          },
        ],
      });
      report.note(
        `topic ${topic}: replicas ${JSON.stringify(topics[0]?.partitions.map((p) => p.replicas))}, ${JSON.stringify(configs.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]))}`,
      );
      await admin.disconnect();
    }
    const cut = Math.round(input.stream.length / 3);
    await publishInput(kafka, world.prefix, input.stream.slice(0, cut), { history: world.history });
    await waitForProgress(world, input, 1 / 6);
    const rest = input.stream.slice(cut);
    const publishing = publishInBackground(kafka, world.prefix, rest, {
      history: world.history,
      resendFor: 120_000,
      pauseMs: PUBLISHING_MS / Math.ceil(rest.length / 1_000),
    });
    await publishing.started;
    const victim = 1 + Math.floor(seededRandom(31)() * cluster.nodes);
    await cluster.kill(victim);
    report.note(
      `SIGKILLed broker ${victim} after ${await storedLedgerEvents(world, input)} of ${input.ledgerEvents} ledger events, with ${rest.length} messages being published`,
    );
    // Appending goes on on the two brokers left.
    const during = await storedLedgerEvents(world, input);
    await waitForProgress(world, input, Math.min(1, (during + 1) / input.ledgerEvents));
    await new Promise((resolve) => setTimeout(resolve, BROKER_DOWN_MS));
    report.note(
      `with broker ${victim} down for ${BROKER_DOWN_MS / 1000} s, the projectors went on: ${await storedLedgerEvents(world, input)} ledger events; starting it again`,
    );
    await cluster.start();
    report.note(`broker ${victim} is back`);
    const { resent } = await publishing.done;
    report.note(`every message published (${resent} batch sends failed and were sent again)`);
    // The broker's side first: every acknowledged message must be in the input topics.
    const inTopic = await messagesInInputTopics(kafka, world.prefix);
    report.note(
      `checked: the input topics hold ${inTopic} messages for ${input.stream.length} sent`,
    );
    expect(inTopic).toBeGreaterThanOrEqual(input.stream.length);

    await checkAgainstOracle(world, input, report);
    for (const projector of projectors) expect(projector.process.child.exitCode).toBeNull();
    report.note('checked: neither projector process exited');
  }, 900_000);
});
