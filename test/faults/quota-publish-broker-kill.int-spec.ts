import { randomUUID } from 'node:crypto';
import { topicNames } from '@credits/kafka';
import {
  dedicatedBrokerUnavailable,
  startDedicatedBroker,
  type DedicatedBroker,
} from '../harness/dedicated-broker';
import { kafkaClient, readTopic, seededRandom, wireEvent } from '../harness/editor-events';
import { isolatedPrefix } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';
import { History } from '../harness/history';
import { describeFaultRun, FaultReport } from './fault-report';
import { checkTopic, describeVerdict } from './history-checker';

/**
 * One broker of three SIGKILLed while clients publish through the quota service's coalesced
 * sends, each of which spans partitions led by different brokers: every event answered 202 must
 * be in the topic (kafkajs can resolve such a send with a partition never written:
 * libs/kafka/src/whole-batch.ts).
 */
const CLIENTS = 16;
const ACCOUNTS = 60;
const ACKED_BEFORE_KILL = 300;
const ACKED_WHILE_DOWN = 600;
const ACKED_AFTER_RESTART = 300;
/** Past it the run goes on to its checks, and says how far it got. */
const PHASE_DEADLINE_MS = 90_000;
const unavailable = dedicatedBrokerUnavailable();
const report = new FaultReport('quota-service publishes across one of three brokers SIGKILLed');

describeFaultRun('quota-service publishing across a lost broker of three', unavailable, () => {
  let cluster: DedicatedBroker | undefined;
  let service: QuotaService | undefined;
  afterAll(async () => {
    report.print();
    await service?.process.stop('SIGTERM');
    await cluster?.destroy();
  });

  it('a broker of three SIGKILLed and brought back while events are published over HTTP: every event answered 202 is in the topic', async () => {
    cluster = await startDedicatedBroker({ nodes: 3 });
    const prefix = isolatedPrefix('publish');
    service = await startQuotaService(prefix, {
      KAFKA_BROKERS: cluster.brokers,
      KAFKA_REPLICATION_FACTOR: '3',
    });
    report.note(`a three-node cluster on ${cluster.brokers}; one quota service`);

    const history = new History();
    const acknowledged = new Set<string>();
    const answers = new Map<number, number>();
    /** Resolvers waiting for the acknowledged count to reach a mark. */
    const marks: { count: number; reached: () => void }[] = [];
    const ackedReach = (count: number): Promise<boolean> =>
      new Promise((resolve) => {
        if (acknowledged.size >= count) return resolve(true);
        const timer = setTimeout(() => resolve(false), PHASE_DEADLINE_MS);
        marks.push({
          count,
          reached: () => {
            clearTimeout(timer);
            resolve(true);
          },
        });
      });
    let publishing = true;
    const client = async (index: number): Promise<void> => {
      for (let n = 0; publishing; n += 1) {
        const account = `${prefix}acct-${(index * 7 + n) % ACCOUNTS}`;
        const event = {
          ...wireEvent(account, 'TopUpPurchased', '2026-11-20T09:00:00Z', {
            purchaseId: randomUUID(),
            credits: 1,
          }),
          source: 'billing',
        };
        const operation = history.invoke('publish', `billing/${event.id}`, account);
        const answer = await service!.call('billing', 'POST', '/events', event).catch(() => null);
        const status = answer?.status ?? 0;
        answers.set(status, (answers.get(status) ?? 0) + 1);
        // A 4xx is a refusal; no answer or a 5xx leaves open whether it was written.
        history.settle(
          operation,
          status === 202 ? 'ok' : status >= 400 && status < 500 ? 'fail' : 'unknown',
        );
        if (status !== 202) continue;
        acknowledged.add(event.id);
        for (const mark of marks.filter((m) => acknowledged.size >= m.count)) {
          marks.splice(marks.indexOf(mark), 1);
          mark.reached();
        }
      }
    };
    const clients = Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));

    await ackedReach(ACKED_BEFORE_KILL);
    const victim = 1 + Math.floor(seededRandom(47)() * cluster.nodes);
    await cluster.kill(victim);
    const atKill = acknowledged.size;
    report.note(`SIGKILLed broker ${victim} after ${atKill} events were acknowledged`);
    const wentOn = await ackedReach(atKill + ACKED_WHILE_DOWN);
    report.note(
      `with broker ${victim} down: ${acknowledged.size - atKill} more acknowledged${wentOn ? '' : ` (fewer than ${ACKED_WHILE_DOWN} in ${PHASE_DEADLINE_MS / 1000} s)`}; starting it again`,
    );
    await cluster.start();
    const atRestart = acknowledged.size;
    await ackedReach(atRestart + ACKED_AFTER_RESTART);
    publishing = false;
    await clients;
    report.note(
      `${acknowledged.size} acknowledged in all; answers by status: ${JSON.stringify(Object.fromEntries(answers))}`,
    );

    const kafka = kafkaClient('publish-faults', cluster.brokers);
    const written = (
      await readTopic(kafka, topicNames(prefix).billingEvents, acknowledged.size)
    ).map(({ value }) => `billing/${(JSON.parse(value) as { id: string }).id}`);
    const inTopic = new Set(written.map((key) => key.slice('billing/'.length)));
    const topic = checkTopic(history.all, written);
    report.note(`checked: in the topic, ${describeVerdict(topic, history.all.length)}`);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const resent = Number(/^credits_quota_publish_resends_total (\S+)$/m.exec(metrics)?.[1] ?? NaN);
    report.note(
      `the quota service sent again the events of ${resent} partitions of partly answered sends`,
    );
    const lost = [...acknowledged].filter((id) => !inTopic.has(id));
    report.note(`checked: ${inTopic.size} distinct events in the topic, ${lost.length} lost`);
    expect(lost).toEqual([]);
    expect({ lost: topic.lost, unseen: topic.unseen }).toEqual({ lost: [], unseen: [] });
    expect(acknowledged.size).toBeGreaterThan(atKill);
    expect(service.process.child.exitCode).toBeNull();
  }, 600_000);
});
