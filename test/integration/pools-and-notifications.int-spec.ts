import type { InputEventType } from '@credits/contract';
import { topicNames } from '@credits/kafka';
import { runCredits } from '../harness/credits-cli';
import { kafkaClient, readTopic, wireEvent } from '../harness/editor-events';
import { storedLedgers } from '../harness/ledger-oracle';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';
import { eventually } from '../harness/eventually';

const databaseUrl = process.env.DATABASE_URL ?? '';
const kafka = kafkaClient('pools-tests');
const TIME = '2026-11-20T09:00:00Z';

describe('brokerage pools and balance notifications, end to end', () => {
  const prefix = isolatedPrefix('pools');
  const topics = topicNames(prefix);
  let projector: ProjectorProcess;
  let service: QuotaService;

  const billing = async (
    accountId: string,
    type: InputEventType,
    data: Record<string, unknown>,
  ) => {
    const answer = await service.call(
      'billing',
      'POST',
      '/events',
      wireEvent(accountId, type, TIME, data),
    );
    expect([type, answer.status]).toEqual([type, 202]);
  };
  const generate = (accountId: string, generationId: string, memberId?: string) =>
    service.call('worker', 'POST', `/accounts/${accountId}/generations`, {
      generationId,
      editType: 'virtual_staging',
      resolution: '1K',
      ...(memberId ? { memberId } : {}),
    });
  const memberUsage = (accountId: string, memberId: string) =>
    service.call('finance', 'GET', `/accounts/${accountId}/members/${memberId}/usage`);

  beforeAll(async () => {
    projector = await startProjector(prefix);
    service = await startQuotaService(prefix);
  });
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
    await projector?.process.stop('SIGTERM');
  });

  it('given a pool with one agent capped at 9 credits, when 30 generations by that agent and 30 by an uncapped one come at once, then the capped agent gets exactly its cap and the pool is never overdrawn', async () => {
    const accountId = `${prefix}brokerage`;
    await billing(accountId, 'TopUpPurchased', { purchaseId: 'pool', credits: 200 });
    await billing(accountId, 'MemberCapSet', { memberId: 'agent-capped', credits: 9 });
    await eventually(
      () => memberUsage(accountId, 'agent-capped'),
      (answer) => answer.status === 200 && answer.body.cap === 9,
    );
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, index) => [
        generate(accountId, `capped-${index}`, 'agent-capped'),
        generate(accountId, `free-${index}`, 'agent-free'),
      ]).flat(),
    );
    const capped = answers.filter((_, index) => index % 2 === 0);
    const uncapped = answers.filter((_, index) => index % 2 === 1);
    expect(capped.filter((answer) => answer.status === 201)).toHaveLength(3);
    expect(uncapped.filter((answer) => answer.status === 201)).toHaveLength(30);
    for (const answer of capped.filter((a) => a.status === 402))
      expect(answer.body).toMatchObject({
        decision: 'refused',
        reason: 'member_cap_reached',
        memberId: 'agent-capped',
        cap: 9,
        used: 9,
        required: 3,
        message: 'agent-capped has used 9 of their 9-credit cap this period; this edit needs 3',
      });
    expect(answers.every((answer) => answer.body.available >= 0)).toBe(true);

    // The read models follow the ledger within moments: the balances (and the agents' use with
    // them), then the usage per agent.
    const balance = await eventually(
      () => service.call('finance', 'GET', `/accounts/${accountId}/balance`),
      (answer) => answer.body?.available === 200 - 33 * 3,
    );
    expect(balance.body).toMatchObject({ available: 200 - 33 * 3 });
    const usage = await eventually(
      () => memberUsage(accountId, 'agent-capped'),
      (answer) => answer.body.totals?.refused === 27,
    );
    expect(usage.body).toMatchObject({
      accountId,
      memberId: 'agent-capped',
      cap: 9,
      usedThisPeriod: 9,
      totals: { generations: 3, refused: 27, credits: 3 },
    });
    const authorization = await service.call(
      'worker',
      'POST',
      `/accounts/${accountId}/authorizations`,
      {
        editType: 'twilight',
        resolution: '1K',
        memberId: 'agent-capped',
      },
    );
    expect(authorization.body).toMatchObject({
      allowed: false,
      reason: 'member_cap_reached',
      cap: 9,
      used: 9,
    });

    // Generations through HTTP happen now: the statement runs to the end of today.
    const now = new Date();
    const tomorrow = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1),
    );
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const statement = await runCredits(
      [
        'statement',
        '--account',
        accountId,
        '--from',
        '2026-11-01T00:00:00Z',
        '--to',
        tomorrow.toISOString(),
        '--member',
        'agent-capped',
        '--format',
        'json',
      ],
      { KAFKA_TOPIC_PREFIX: prefix },
    );
    expect(statement.code).toBe(0);
    const { member, lines } = JSON.parse(statement.stdout);
    expect(member).toEqual({
      memberId: 'agent-capped',
      cap: 9,
      periodStart: monthStart.toISOString(),
      usedThisPeriod: 9,
    });
    expect(lines.map((line: { type: string }) => line.type).sort()).toEqual([
      ...Array(3).fill('GenerationCharged'),
      ...Array(27).fill('GenerationRefused'),
    ]);
  });

  it('given a threshold and automatic top-ups, when a burst of generations crosses them, then one BalanceLow and exactly one AutoTopUpRequested are published; the top-up it asks for brings BalanceRestored', async () => {
    const accountId = `${prefix}auto`;
    await billing(accountId, 'TopUpPurchased', { purchaseId: 'first', credits: 30 });
    await billing(accountId, 'BalanceThresholdSet', { credits: 12 });
    await billing(accountId, 'AutoTopUpConfigured', {
      threshold: 10,
      credits: 50,
      price: { amount: 4_900, currency: 'EUR' },
    });
    await eventually(
      () => storedLedgers(databaseUrl, new Set([accountId])),
      (ledgers) => (ledgers.get(accountId) ?? []).some((e) => e.type === 'AutoTopUpConfigured'),
    );
    const answers = await Promise.all(
      Array.from({ length: 9 }, (_, index) => generate(accountId, `g-${index}`)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(9).fill(201));

    const [low, request] = (await readTopic(kafka, topics.creditNotifications, 2))
      .map((message) => JSON.parse(message.value))
      .filter((message) => message.subject === accountId);
    expect(low).toMatchObject({ type: 'BalanceLow', data: { available: 9, threshold: 12 } });
    expect(request).toMatchObject({
      type: 'AutoTopUpRequested',
      data: { requestId: 'auto-top-up:1', credits: 50, price: { amount: 4_900, currency: 'EUR' } },
    });
    await billing(accountId, 'TopUpPurchased', {
      purchaseId: request.data.requestId,
      credits: request.data.credits,
      price: request.data.price,
    });
    const notices = (await readTopic(kafka, topics.creditNotifications, 3))
      .map((message) => JSON.parse(message.value))
      .filter((message) => message.subject === accountId);
    expect(notices.map((notice) => notice.type)).toEqual([
      'BalanceLow',
      'AutoTopUpRequested',
      'BalanceRestored',
    ]);
    expect(new Set(notices.map((notice) => notice.id)).size).toBe(3);
    const ledger = (await storedLedgers(databaseUrl, new Set([accountId]))).get(accountId) ?? [];
    expect(ledger.filter((event) => event.type === 'AutoTopUpRequested')).toHaveLength(1);
  });

  it.each([
    ['MemberCapSet', { memberId: 'agent', credits: -1 }, 'credits must be an integer of 0 or more'],
    ['MemberCapSet', { memberId: 'an agent', credits: 5 }, 'memberId must be 1-128 characters'],
    [
      'AutoTopUpConfigured',
      { threshold: 5, credits: 1.5 },
      'credits must be an integer of 0 or more',
    ],
    [
      'GenerationRequested',
      { generationId: 'g', editType: 'crop', memberId: 'a/b' },
      'memberId must be 1-128 characters',
    ],
  ] as [InputEventType, Record<string, unknown>, string][])(
    'given %s with %j, then 400 naming the field',
    async (type, data, detail) => {
      const role = type === 'GenerationRequested' ? 'worker' : 'billing';
      const answer = await service.call(
        role,
        'POST',
        '/events',
        wireEvent(`${prefix}bad`, type, TIME, data),
      );
      expect(answer.status).toBe(400);
      expect(answer.body.details.join('\n')).toContain(detail);
    },
  );
});
