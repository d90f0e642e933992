import { request as httpRequest, type ClientRequest } from 'node:http';
import { isolatedPrefix } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

/** The value of a series in a Prometheus text answer, or null. */
function seriesValue(metrics: string, series: string): number | null {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

describe('the quota service past its limits: new requests refused at once, probes still answered', () => {
  const prefix = isolatedPrefix('overload');
  let service: QuotaService;

  /** Until /metrics (answered whatever the load) shows `series` at `value`. */
  async function metricReaches(series: string, value: number): Promise<void> {
    for (;;) {
      const metrics = await service.call(null, 'GET', '/metrics');
      if (seriesValue(metrics.text, series) === value) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  beforeAll(async () => {
    // One place of each kind, and no projector: a generation waits for a decision that does not
    // come for as long as the test needs.
    service = await startQuotaService(prefix, {
      QUOTA_MAX_IN_FLIGHT: '1',
      QUOTA_MAX_WAITING_GENERATIONS: '1',
      GENERATION_TIMEOUT_MS: '120000',
    });
  });
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
  });

  it('given the one in-flight place taken by a request still sending its body, then the next gets 503 with Retry-After and says why; /health and /metrics answer; once it ends, requests are answered again', async () => {
    // Admitted before its body is read: a body that stops halfway keeps it in flight.
    const slow: ClientRequest = httpRequest(`${service.url}/accounts/${prefix}a/authorizations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${service.keys.worker}`,
        'content-type': 'application/json',
        'content-length': '100',
      },
    });
    slow.on('error', () => undefined);
    slow.write('{"editType":');
    await metricReaches('credits_quota_requests_in_flight', 1);

    const refused = await fetch(`${service.url}/accounts/${prefix}a/balance`, {
      headers: { authorization: `Bearer ${service.keys.worker}` },
    });
    expect([refused.status, refused.headers.get('retry-after'), await refused.json()]).toEqual([
      503,
      '1',
      { error: 'overloaded', details: [expect.stringContaining('retry in a second')] },
    ]);
    expect((await service.call(null, 'GET', '/health')).body.error).not.toBe('overloaded');
    const metrics = await service.call(null, 'GET', '/metrics');
    expect(seriesValue(metrics.text, 'credits_quota_shed_requests_total{reason="in_flight"}')).toBe(
      1,
    );

    slow.destroy();
    await metricReaches('credits_quota_requests_in_flight', 0);
    expect((await service.call('worker', 'GET', `/accounts/${prefix}a/balance`)).status).toBe(404);
  });

  it('given the one waiting place taken by a generation, then the in-flight place is free for other requests, and a second generation gets 503 before anything is published', async () => {
    const waiting = new AbortController();
    const generation = fetch(`${service.url}/accounts/${prefix}a/generations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${service.keys.worker}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ generationId: 'g1', editType: 'twilight', resolution: '1K' }),
      signal: waiting.signal,
    }).catch((error: unknown) => error);
    await metricReaches('credits_quota_generations_waiting', 1);

    expect((await service.call('worker', 'GET', `/accounts/${prefix}a/balance`)).status).toBe(404);
    const second = await service.call('worker', 'POST', `/accounts/${prefix}a/generations`, {
      generationId: 'g2',
      editType: 'twilight',
      resolution: '1K',
    });
    expect([second.status, second.body.details]).toEqual([
      503,
      [expect.stringContaining('QUOTA_MAX_WAITING_GENERATIONS')],
    ]);
    const metrics = await service.call(null, 'GET', '/metrics');
    expect(
      seriesValue(metrics.text, 'credits_quota_shed_requests_total{reason="waiting_generations"}'),
    ).toBe(1);

    waiting.abort();
    await generation;
  });
});
