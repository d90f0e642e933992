import { isolatedPrefix } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

/** The value of an unlabelled or labelled series in a Prometheus text answer, or null. */
function seriesValue(metrics: string, series: string): number | null {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

describe('the quota service past its limit: new requests refused at once, probes still answered', () => {
  const prefix = isolatedPrefix('overload');
  let service: QuotaService;

  beforeAll(async () => {
    // One request at a time, and no projector: a synchronous generation waits for a decision
    // that does not come, and holds the only place for as long as the test needs.
    service = await startQuotaService(prefix, {
      QUOTA_MAX_IN_FLIGHT: '1',
      GENERATION_TIMEOUT_MS: '120000',
    });
  });
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
  });

  it('given the one place taken by a generation waiting for its decision, when more requests come, then each gets 503 with Retry-After and says why; /health and /metrics answer; once the place is free, requests are answered again', async () => {
    const waiting = new AbortController();
    const generation = fetch(`${service.url}/accounts/${prefix}a/generations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${service.keys.worker}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ generationId: 'g', editType: 'twilight', resolution: '1K' }),
      signal: waiting.signal,
    }).catch((error: unknown) => error);
    // In flight once the service counts it so (metrics are answered whatever the load).
    for (;;) {
      const metrics = await service.call(null, 'GET', '/metrics');
      if (seriesValue(metrics.text, 'credits_quota_requests_in_flight') === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const refused = await fetch(`${service.url}/accounts/${prefix}a/balance`, {
      headers: { authorization: `Bearer ${service.keys.worker}` },
    });
    expect([refused.status, refused.headers.get('retry-after'), await refused.json()]).toEqual([
      503,
      '1',
      { error: 'overloaded', details: [expect.stringContaining('retry in a second')] },
    ]);
    expect((await service.call('ops', 'GET', '/ops/status')).status).toBe(503);
    const health = await service.call(null, 'GET', '/health');
    expect(health.body.error).not.toBe('overloaded');
    const metrics = await service.call(null, 'GET', '/metrics');
    expect(seriesValue(metrics.text, 'credits_quota_shed_requests_total{reason="in_flight"}')).toBe(
      2,
    );

    waiting.abort();
    await generation;
    for (;;) {
      const answer = await service.call('worker', 'GET', `/accounts/${prefix}a/balance`);
      if (answer.status !== 503) {
        expect(answer.status).toBe(404);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
});
