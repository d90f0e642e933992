import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createQuotaClient } from '@credits/quota-client';
import { isolatedPrefix } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

const COMMITTED = path.resolve(__dirname, '../../docs/openapi.json');
/** `npm run openapi` sets it: the served document replaces the committed one. */
const WRITE = process.env.WRITE_OPENAPI === '1';

describe('docs/openapi.json, the quota service’s HTTP contract as a file', () => {
  let service: QuotaService;
  beforeAll(async () => {
    service = await startQuotaService(isolatedPrefix('openapi'));
  });
  afterAll(() => service.process.stop());

  it('given the running service, then the document it serves is the committed one', async () => {
    const served: unknown = await (await fetch(`${service.url}/docs-json`)).json();
    if (WRITE) writeFileSync(COMMITTED, `${JSON.stringify(served, null, 2)}\n`);
    const committed: unknown = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    // On a difference: `npm run openapi` rewrites the file and the client's types; commit both.
    expect(served).toEqual(committed);
  });

  it('given the benchmark’s baseline route, then it is served only when asked for, and never documented', async () => {
    const noop = () =>
      service.call('worker', 'POST', '/noop', { editType: 'twilight', resolution: '4K' });
    expect((await noop()).status).toBe(404);

    const withBaseline = await startQuotaService(isolatedPrefix('openapi-baseline'), {
      QUOTA_BASELINE_ROUTE: 'true',
    });
    try {
      const answer = await withBaseline.call('worker', 'POST', '/noop', {
        editType: 'twilight',
        resolution: '4K',
      });
      expect(answer.status).toBe(200);
      const served = (await (await fetch(`${withBaseline.url}/docs-json`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(served.paths)).not.toContain('/noop');
    } finally {
      await withBaseline.process.stop();
    }
  });

  it('given the typed client made from it, when a worker asks, then the service answers in its types', async () => {
    const quota = createQuotaClient(service.url, service.keys.worker);
    const whoami = await quota.GET('/whoami');
    expect(whoami.data).toEqual({ role: 'worker', keyId: 'worker-key' });

    const unknownAccount = await quota.POST('/accounts/{id}/authorizations', {
      params: { path: { id: `${isolatedPrefix('openapi')}nobody` } },
      body: { editType: 'twilight', resolution: '4K' },
    });
    expect(unknownAccount.data).toMatchObject({ allowed: false, generateCost: 2, acceptCost: 4 });

    const badBody = await quota.POST('/accounts/{id}/authorizations', {
      params: { path: { id: 'agency' } },
      // @ts-expect-error the client's types refuse a body without editType, as the service does
      body: { resolution: '4K' },
    });
    expect(badBody.response.status).toBe(400);
    expect(badBody.error).toMatchObject({ error: expect.any(String) });
  });
});
