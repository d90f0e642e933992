import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { runCredits } from '../harness/credits-cli';
import {
  asMessages,
  kafkaClient,
  projectorConsumed,
  publishInOrder,
  publishInput,
  realisticMonth,
} from '../harness/editor-events';
import { oracleLedgers, storedInterleaving, storedLedgers } from '../harness/ledger-oracle';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

/**
 * The projector's own supervision, through the real process: a store failure it does not retry
 * crashes its kafkajs consumer (kafkajs will not restart it), and the projector must start a new
 * one, say so on /health, /ready and the metrics, and let `credits status` see the stall.
 * The fault: the event table renamed away, in a database of this test's own.
 */
const kafka = kafkaClient('supervision-tests');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  const text = await response.text();
  return {
    status: response.status,
    body: url.endsWith('/metrics') ? { text } : (JSON.parse(text) as Record<string, unknown>),
  };
}

describe('credit projector supervising its own consumer', () => {
  const serverUrl = new URL(process.env.DATABASE_URL ?? '');
  const database = `credits_supervision_${randomBytes(4).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(serverUrl.toString()), { pathname: `/${database}` });
  let projector: ProjectorProcess | undefined;
  // Its read models are what `credits status` reports besides the partitions.
  let service: QuotaService | undefined;

  afterAll(async () => {
    await projector?.process.stop('SIGTERM');
    await service?.process.stop('SIGTERM');
    const admin = new Pool({ connectionString: serverUrl.toString(), max: 1 });
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  });

  it('given a store failure that outlasts the write bounds, then the chunk is waited out in place, the consumer gives up and the projector starts a new one, reports the stall on /ready, its metrics and credits status, and catches up once the store is back, never exiting', async () => {
    const prefix = isolatedPrefix('supervise');
    const env = {
      DATABASE_URL: databaseUrl.toString(),
      PROJECTOR_STALL_AFTER_MS: '1500',
      PROJECTOR_LAG_INTERVAL_MS: '200',
    };
    projector = await startProjector(prefix, env);
    service = await startQuotaService(prefix, env);
    const base = projector.metricsUrl.replace(/\/metrics$/, '');
    const credits = (...args: string[]) => runCredits(args, { ...env, KAFKA_TOPIC_PREFIX: prefix });
    const events = realisticMonth({
      accounts: 20,
      events: 600,
      seed: 8,
      accountPrefix: `${prefix}acct`,
    });
    const [before, after] = [events.slice(0, 300), events.slice(300)];

    await publishInOrder(kafka, prefix, asMessages(before));
    await until('ready after the first half', async () =>
      (await get(`${base}/ready`)).status === 200 ? true : undefined,
    );
    await until('credits status finds nothing stalled', async () =>
      (await credits('status')).code === 0 ? true : undefined,
    );

    const pool = new Pool({ connectionString: databaseUrl.toString(), max: 1 });
    try {
      await pool.query('ALTER TABLE es_events RENAME TO es_events_away');
      await publishInput(kafka, prefix, asMessages(after));
      const crashed = (line: string) =>
        line.includes('the consumer crashed and kafkajs will not restart it');
      await until('the consumer crashes', async () =>
        projector!.process.stdout.some(crashed) ? true : undefined,
      ).catch((error: Error) => {
        throw new Error(
          `${error.message}; the projector said:\n${projector!.process.stdout.slice(-30).join('\n')}`,
        );
      });
      // It keeps trying; meanwhile everyone can see the stall, and the process is alive.
      const stalled = await until('credits status sees the stall', async () => {
        const run = await credits('status', '--format', 'json');
        return run.code === 3 ? (JSON.parse(run.stdout) as { stalled: boolean }) : undefined;
      });
      expect(stalled.stalled).toBe(true);
      const ready = await until('/ready says which partition stalled', async () => {
        const answer = await get(`${base}/ready`);
        const problems = (answer.body.problems as string[] | undefined) ?? [];
        return problems.some((problem) => /-events partition \d+ has lag \d+/.test(problem))
          ? answer
          : undefined;
      });
      expect(ready.status).toBe(503);
      expect((await get(`${base}/health`)).status).toBe(200);
      const metrics = (await get(projector.metricsUrl)).body.text as string;
      expect(metrics).toMatch(
        /credits_projector_consumer_crashes_total\{restarted_by="projector"\} [1-9]/,
      );
      // A missing table is no fault of the data: waited out, never dead-lettered.
      expect(metrics).toMatch(/credits_projector_store_retries_total\{failure="unknown"\} [1-9]/);
      expect(metrics).not.toMatch(
        /credits_projector_dead_letters_total\{reason="undecidable"\} [1-9]/,
      );
      expect(metrics).toMatch(/credits_projector_ready 0/);
      expect(metrics).toMatch(
        /credits_projector_partition_seconds_since_progress\{topic="[^"]+",partition="\d"\} [1-9]/,
      );
    } finally {
      await pool.query('ALTER TABLE IF EXISTS es_events_away RENAME TO es_events');
      await pool.end();
    }

    await projectorConsumed(kafka, prefix);
    const stored = await storedLedgers(
      databaseUrl.toString(),
      new Set(events.map((e) => e.subject)),
    );
    // The second half's two topics interleaved as they came: the oracle follows the stored order.
    const taken = storedInterleaving(events, stored);
    expect(taken.outOfOrder).toEqual([]);
    const expected = oracleLedgers(taken.events);
    for (const [accountId, ledger] of expected)
      expect([accountId, stored.get(accountId)]).toEqual([accountId, ledger]);
    await until('ready again', async () =>
      (await get(`${base}/ready`)).status === 200 ? true : undefined,
    );
    await until('credits status finds nothing stalled again', async () =>
      (await credits('status')).code === 0 ? true : undefined,
    );
    expect(projector.process.child.exitCode).toBeNull();
  }, 180_000);
});
