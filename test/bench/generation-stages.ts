import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import type { QuotaService } from '../harness/quota-service';

/** Where a synchronous generation's time went, by stage, in ms (medians and p99s over the sample). */
export interface StageTimes {
  /** HTTP request in, to the wire event stamped for publishing (the quota service's own work). */
  readonly toPublished: Quantiles;
  /** Stamped, to its ledger event appended (Kafka delivery, the projector's fetch, decide, append). */
  readonly toAppended: Quantiles;
  /** Appended, to the decision's Kafka message made (the projector's dead letters and decisions). */
  readonly toDecisionSent: Quantiles;
  /** Decision made, to the HTTP answer received (Kafka delivery, the quota service's consumer). */
  readonly toAnswered: Quantiles;
  readonly total: Quantiles;
}

interface Quantiles {
  readonly p50: number;
  readonly p99: number;
}

function quantiles(values: readonly number[]): Quantiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => Math.round(10 * (sorted[Math.ceil(q * sorted.length) - 1] ?? NaN)) / 10;
  return { p50: at(0.5), p99: at(0.99) };
}

/**
 * `count` synchronous generations, one after another or at a steady pace, each timed at the client; then each one's
 * stages read back from what the stages leave: the wire event's own time (stamped by the quota
 * service as it publishes), the ledger event's `recorded_at` (the append), and the decision
 * message's Kafka timestamp (made by the projector's producer). One machine, one clock.
 */
export async function generationStages(options: {
  service: QuotaService;
  kafka: Kafka;
  databaseUrl: string;
  decisionsTopic: string;
  account: (n: number) => string;
  count: number;
  /** Generations started per second, each without waiting for the one before; else one after another. */
  perSecond?: number;
}): Promise<StageTimes> {
  const runId = randomUUID().slice(0, 8);
  const client = new Map<string, { sentMs: number; answeredMs: number }>();
  const generate = async (n: number) => {
    const generationId = `stage-${runId}-${n}`;
    const sentMs = Date.now();
    await options.service.call('worker', 'POST', `/accounts/${options.account(n)}/generations`, {
      generationId,
      editType: 'virtual_staging',
      resolution: '1K',
    });
    client.set(generationId, { sentMs, answeredMs: Date.now() });
  };
  if (options.perSecond === undefined) for (let n = 0; n < options.count; n += 1) await generate(n);
  else {
    const startMs = Date.now();
    const started: Promise<void>[] = [];
    for (let n = 0; n < options.count; n += 1) {
      const dueMs = startMs + (n * 1_000) / options.perSecond;
      const waitMs = dueMs - Date.now();
      if (waitMs > 0) await sleep(waitMs);
      started.push(generate(n));
    }
    await Promise.all(started);
  }

  const database = new Client({ connectionString: options.databaseUrl });
  await database.connect();
  const stored = new Map<string, { stampedMs: number; appendedMs: number }>();
  try {
    const { rows } = await database.query<{ id: string; at: string; recorded: Date }>(
      `SELECT data->>'generationId' AS id, data->>'at' AS at, recorded_at AS recorded
         FROM es_events
        WHERE event_type IN ('GenerationCharged', 'GenerationRefused')
          AND data->>'generationId' LIKE $1`,
      [`stage-${runId}-%`],
    );
    for (const row of rows)
      stored.set(row.id, { stampedMs: Date.parse(row.at), appendedMs: row.recorded.getTime() });
  } finally {
    await database.end();
  }

  const sent = new Map<string, number>();
  const consumer = options.kafka.consumer({
    groupId: `bench-stages-${runId}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: options.decisionsTopic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    const deadline = setTimeout(resolve, 60_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value?.toString() ?? '';
        if (!value.includes(`stage-${runId}-`)) return;
        const { data } = JSON.parse(value) as { data: { generationId: string } };
        if (!sent.has(data.generationId)) sent.set(data.generationId, Number(message.timestamp));
        if (sent.size >= options.count) {
          clearTimeout(deadline);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();

  const stages = {
    toPublished: [],
    toAppended: [],
    toDecisionSent: [],
    toAnswered: [],
    total: [],
  } as Record<keyof StageTimes, number[]>;
  for (const [id, times] of client) {
    const ledger = stored.get(id);
    const decisionMs = sent.get(id);
    if (!ledger || decisionMs === undefined) continue;
    stages.toPublished.push(ledger.stampedMs - times.sentMs);
    stages.toAppended.push(ledger.appendedMs - ledger.stampedMs);
    stages.toDecisionSent.push(decisionMs - ledger.appendedMs);
    stages.toAnswered.push(times.answeredMs - decisionMs);
    stages.total.push(times.answeredMs - times.sentMs);
  }
  return {
    toPublished: quantiles(stages.toPublished),
    toAppended: quantiles(stages.toAppended),
    toDecisionSent: quantiles(stages.toDecisionSent),
    toAnswered: quantiles(stages.toAnswered),
    total: quantiles(stages.total),
  };
}
