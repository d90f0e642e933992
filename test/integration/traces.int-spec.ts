import { Pool } from 'pg';
import { traceIdOf, TRACEPARENT } from '@credits/contract';
import { topicNames } from '@credits/kafka';
import { kafkaClient, publishInOrder, readTopic, wireEvent } from '../harness/editor-events';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

const kafka = kafkaClient('traces-tests');
const prefix = isolatedPrefix('traces');
const topics = topicNames(prefix);
const account = `${prefix}agency`;
const databaseUrl = process.env.DATABASE_URL ?? '';

/** The decision of one generation as it is on credit-decisions, with its headers. */
async function decisionOf(generationId: string, atLeast: number) {
  const decisions = await readTopic(kafka, topics.creditDecisions, atLeast);
  const found = decisions.find(
    ({ value }) =>
      (JSON.parse(value) as { data: { generationId: string } }).data.generationId === generationId,
  );
  if (!found) throw new Error(`no decision for ${generationId}`);
  return found;
}

/** The `traceparent` a ledger event of this generation keeps in its metadata. */
async function storedTraceOf(generationId: string): Promise<string | undefined> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ traceparent: string | null }>(
      `SELECT metadata->>'traceparent' AS traceparent FROM es_events
        WHERE stream_name = $1 AND event_type = 'GenerationCharged' AND data->>'generationId' = $2`,
      [`account-${account}`, generationId],
    );
    return rows[0]?.traceparent ?? undefined;
  } finally {
    await pool.end();
  }
}

describe('traces: a W3C traceparent kept from the request to its decision', () => {
  let projector: ProjectorProcess;
  let service: QuotaService;

  beforeAll(async () => {
    [projector, service] = await Promise.all([startProjector(prefix), startQuotaService(prefix)]);
    const topUp = wireEvent(account, 'TopUpPurchased', '2026-11-20T09:00:00Z', {
      purchaseId: 'first',
      credits: 30,
    });
    await publishInOrder(kafka, prefix, [{ key: account, value: JSON.stringify(topUp) }]);
  });
  afterAll(() => Promise.all([projector.process.stop(), service.process.stop()]));

  it('given a producer’s traceparent on its Kafka message, then the ledger event keeps it and the decision carries it back', async () => {
    const sent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const request = wireEvent(account, 'GenerationRequested', '2026-11-21T09:00:00Z', {
      generationId: 'from-kafka',
      editType: 'twilight',
      resolution: '1K',
    });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: topics.editorEvents,
      acks: -1,
      messages: [
        { key: account, value: JSON.stringify(request), headers: { [TRACEPARENT]: sent } },
      ],
    });
    await producer.disconnect();

    const decision = await decisionOf('from-kafka', 1);
    expect(decision.headers[TRACEPARENT]).toBe(sent);
    expect(await storedTraceOf('from-kafka')).toBe(sent);
  });

  it('given a traceparent on a synchronous generation, then its answer and its decision are in the caller’s trace', async () => {
    const sent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const answer = await fetch(`${service.url}/accounts/${account}/generations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${service.keys.worker}`,
        'content-type': 'application/json',
        [TRACEPARENT]: sent,
      },
      body: JSON.stringify({ generationId: 'over-http', editType: 'twilight', resolution: '1K' }),
    });
    expect(answer.status).toBe(201);
    const returned = answer.headers.get(TRACEPARENT) ?? '';
    expect(traceIdOf(returned)).toBe(traceIdOf(sent));
    expect(returned).not.toBe(sent); // the quota service's own span, in the caller's trace

    const decision = await decisionOf('over-http', 2);
    expect(decision.headers[TRACEPARENT]).toBe(returned);
    expect(await storedTraceOf('over-http')).toBe(returned);
  });

  it('given no traceparent, or a malformed one, then a new trace starts and the event is decided as ever', async () => {
    const answer = await service.call(
      'worker',
      'POST',
      `/accounts/${account}/generations`,
      { generationId: 'untraced', editType: 'twilight', resolution: '1K' },
      { [TRACEPARENT]: 'not-a-trace' },
    );
    expect(answer.status).toBe(201);
    const decision = await decisionOf('untraced', 3);
    expect(traceIdOf(decision.headers[TRACEPARENT] ?? '')).toMatch(/^[0-9a-f]{32}$/);
  });
});
