import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { aclMarkdownTable, deploymentAcls, topicNames } from '@credits/kafka';
import { repositoryRoot } from '../harness/backends';
import { runCredits } from '../harness/credits-cli';
import {
  dedicatedBrokerUnavailable,
  startDedicatedBroker,
  type DedicatedBroker,
} from '../harness/dedicated-broker';
import { asMessages, wireEvent } from '../harness/editor-events';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { eventually } from '../harness/eventually';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

/**
 * Least privilege on a real broker: kafka.sh with KAFKA_SECURITY=scram (SASL/SCRAM-SHA-512, the
 * standard authorizer, nothing allowed without an ACL), the ACLs `credits kafka acls --apply`
 * creates and docs/least-privilege.md lists, and the apps running as their own principals.
 */
const unavailable = dedicatedBrokerUnavailable();

/** The broker's error code; kafkajs reports a refused topic in metadata by message only. */
function brokerError(error: unknown): string {
  const { type, message } = error as { type?: string; message: string };
  if (type) return type;
  return /Topic authorization failed/i.test(message) ? 'TOPIC_AUTHORIZATION_FAILED' : message;
}
const suite = unavailable ? describe.skip : describe;

suite(`Kafka ACLs on a SASL/SCRAM broker${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`, () => {
  const prefix = isolatedPrefix('acl');
  const topics = topicNames(prefix);
  let broker: DedicatedBroker;
  let projector: ProjectorProcess | undefined;
  let service: QuotaService | undefined;

  const saslEnv = (user: string): NodeJS.ProcessEnv => ({
    KAFKA_BROKERS: broker.brokers,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD: broker.passwords[user] ?? '',
  });
  const clientAs = (user: string) =>
    new Kafka({
      clientId: `acl-test-${user}`,
      brokers: broker.brokers.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 100 },
      sasl: { mechanism: 'scram-sha-512', username: user, password: broker.passwords[user] ?? '' },
    });
  /** What a send of one message as `user` to `topic` comes to: 'written' or the broker's error. */
  async function sendAs(user: string, topic: string, value: string): Promise<string> {
    const producer = clientAs(user).producer({
      idempotent: true,
      retry: { retries: 1, initialRetryTime: 100 },
    });
    try {
      // An idempotent producer asks for its id on connect: refused when it may write nowhere.
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: `${prefix}acct`, value }] });
      return 'written';
    } catch (error) {
      return brokerError(error);
    } finally {
      await producer.disconnect();
    }
  }
  /** Whether `user` may read a topic: the broker's answer to a fetch of its partitions. */
  async function readAs(user: string, topic: string): Promise<string> {
    const admin = clientAs(user).admin();
    await admin.connect();
    try {
      await admin.fetchTopicOffsets(topic);
      return 'readable';
    } catch (error) {
      return brokerError(error);
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    broker = await startDedicatedBroker({ security: 'scram' });
  }, 180_000);
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
    await projector?.process.stop('SIGTERM');
    await broker?.destroy();
  });

  it('lists in docs/least-privilege.md exactly the ACLs it applies', () => {
    // Cell by cell: prettier pads the README's tables.
    const cells = (markdown: string) =>
      markdown
        .split('\n')
        .filter((line) => line.startsWith('|'))
        .map((line) =>
          line
            .split('|')
            .map((cell) => cell.trim().replace(/^-+$/, '-'))
            .join('|'),
        )
        .join('\n');
    const doc = readFileSync(path.join(repositoryRoot, 'docs/least-privilege.md'), 'utf8');
    expect(cells(doc)).toContain(cells(aclMarkdownTable(deploymentAcls(''))));
  });

  it('refuses a principal without an ACL anything, until credits kafka acls --apply grants them', async () => {
    expect(await sendAs('editor', topics.editorEvents, '{}')).toBe('CLUSTER_AUTHORIZATION_FAILED');
    const applied = await runCredits(['kafka', 'acls', '--apply'], {
      ...saslEnv('admin'),
      KAFKA_TOPIC_PREFIX: prefix,
    });
    expect([applied.code, applied.stdout]).toEqual([
      0,
      expect.stringMatching(/created \d+ ACL entries/),
    ]);
    const again = await runCredits(['kafka', 'acls', '--apply', '--format', 'json'], {
      ...saslEnv('admin'),
      KAFKA_TOPIC_PREFIX: prefix,
    });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toHaveLength(deploymentAcls(prefix).length);
  });

  it('runs the projector and the quota service as their own principals with exactly those ACLs', async () => {
    projector = await startProjector(prefix, saslEnv('credit-projector'));
    service = await startQuotaService(prefix, saslEnv('quota-service'));
    const account = `${prefix}acct`;
    const topUp = wireEvent(account, 'TopUpPurchased', '2026-11-20T09:00:00Z', {
      purchaseId: 'p1',
      credits: 10,
    });
    // Billing publishes on its own topic, with its own principal.
    expect(
      await sendAs('billing', topics.billingEvents, asMessages([topUp])[0]!.value as string),
    ).toBe('written');
    const deadline = Date.now() + 30_000;
    while (
      (await service.call('worker', 'GET', `/accounts/${account}/balance`)).status !== 200 &&
      Date.now() < deadline
    )
      await new Promise((resolve) => setTimeout(resolve, 100));
    const generation = await service.call('worker', 'POST', `/accounts/${account}/generations`, {
      generationId: 'g1',
      editType: 'twilight',
      resolution: '1K',
    });
    expect([generation.status, generation.body]).toEqual([
      201,
      { decision: 'approved', charged: 1, held: 2, available: 7 },
    ]);
    const adjusted = wireEvent(account, 'CreditsAdjusted', '2026-11-20T10:00:00Z', {
      adjustmentId: 'a1',
      credits: 5,
      reason: 'goodwill',
    });
    expect((await service.call('billing', 'POST', '/events', adjusted)).status).toBe(202);
    // The ops routes read the projector's group and the dead-letter topic with these grants too.
    const status = await service.call('ops', 'GET', '/ops/status');
    expect([status.status, status.body.partitions.length]).toEqual([200, expect.any(Number)]);
    expect(status.body.partitions.length).toBeGreaterThan(0);
  });

  it('keeps each producer to its own topic, and nobody but the apps reads decisions', async () => {
    const value = JSON.stringify(
      wireEvent(`${prefix}acct`, 'TopUpPurchased', '2026-11-20T09:00:00Z', {
        purchaseId: 'x',
        credits: 1_000,
      }),
    );
    expect(await sendAs('editor', topics.billingEvents, value)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await sendAs('billing', topics.editorEvents, value)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await sendAs('editor', topics.editorEvents, value)).toBe('written');
    for (const user of ['editor', 'billing'])
      expect([user, await readAs(user, topics.creditDecisions)]).toEqual([
        user,
        'TOPIC_AUTHORIZATION_FAILED',
      ]);
    expect(await readAs('quota-service', topics.creditDecisions)).toBe('readable');
    // The top-up the editor sent to its own topic is dead-lettered (wrong_topic), and the quota
    // service reads it back for the ops routes with its grants.
    const letters = await eventually(
      () => service!.call('ops', 'GET', '/ops/dead-letters'),
      (answer) => answer.status !== 200 || answer.body.letters.length > 0,
    );
    expect([letters.status, letters.body.letters]).toEqual([
      200,
      [expect.objectContaining({ reason: 'wrong_topic' })],
    ]);
  });
});
