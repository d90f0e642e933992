import { SUPPORTED_NODE_MAJOR } from '@credits/runtime';
import { runCredits } from '../harness/credits-cli';
import {
  dedicatedBrokerUnavailable,
  startDedicatedBroker,
  type DedicatedBroker,
} from '../harness/dedicated-broker';
import { wireEvent } from '../harness/editor-events';
import { eventually } from '../harness/eventually';
import { ownDatabase } from '../harness/own-database';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

const unavailable = dedicatedBrokerUnavailable();
const PINNED = new RegExp(`starting on Node\\.js v${SUPPORTED_NODE_MAJOR}\\.\\d+\\.\\d+ `);

/** A line a person would take for a failure: pino's error and fatal levels, or a line saying so. */
function errorLevel(line: string): boolean {
  if (line.startsWith('{')) return (JSON.parse(line) as { level: number }).level >= 50;
  return /\b(error|warning)\b/i.test(line);
}

/**
 * What a newcomer sees on `npm start`: both services start on a broker that has only just
 * started, at the default log level, and say nothing alarming. A fresh broker answers "the
 * coordinator is loading" for a moment, which kafkajs retries.
 */
(unavailable ? describe.skip : describe)('a start on a fresh broker, as npm start runs it', () => {
  const prefix = isolatedPrefix('fresh');
  const account = `${prefix}agency`;
  let broker: DedicatedBroker;
  let projector: ProjectorProcess;
  let service: QuotaService;
  let dropDatabase = async () => {};

  afterAll(async () => {
    await Promise.all([projector?.process.stop(), service?.process.stop()]);
    await broker?.destroy();
    await dropDatabase();
  });

  it('given a broker just started, when both services start and decide their first generation, then neither printed an error-level line, and each runs on the pinned Node.js', async () => {
    broker = await startDedicatedBroker();
    const own = await ownDatabase('fresh');
    dropDatabase = own.drop;
    // LOG_LEVEL as npm start leaves it (the harness's default is warn).
    const env = { KAFKA_BROKERS: broker.brokers, DATABASE_URL: own.url, LOG_LEVEL: 'info' };
    [projector, service] = await Promise.all([
      startProjector(prefix, env),
      startQuotaService(prefix, env),
    ]);

    // Healthy, and both consumer groups joined: a top-up decided, then a generation answered.
    const topUp = wireEvent(account, 'TopUpPurchased', new Date().toISOString(), {
      purchaseId: 'first',
      credits: 10,
    });
    expect((await service.call('billing', 'POST', '/events', topUp)).status).toBe(202);
    const balance = await eventually(
      () => service.call('worker', 'GET', `/accounts/${account}/balance`),
      (answer) => answer.status === 200,
      60_000,
    );
    expect(balance.body).toMatchObject({ available: 10 });
    const generation = await service.call('worker', 'POST', `/accounts/${account}/generations`, {
      generationId: 'first',
      editType: 'twilight',
      resolution: '2K',
    });
    expect(generation.status).toBe(201);
    expect((await service.call(null, 'GET', '/health')).status).toBe(200);

    for (const [name, started] of [
      ['credit-projector', projector.process],
      ['quota-service', service.process],
    ] as const) {
      const lines = [...started.stdout, ...started.stderr];
      expect({ name, errors: lines.filter(errorLevel) }).toEqual({ name, errors: [] });
      expect(started.messages.find((line) => line.startsWith(`${name}: starting on`))).toMatch(
        PINNED,
      );
    }
    const version = await runCredits(['--version']);
    expect(version.stdout).toMatch(new RegExp(`^credits on Node\\.js v${SUPPORTED_NODE_MAJOR}\\.`));
    expect(version.stderr).toEqual([]);
  });
});
