import fc from 'fast-check';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';
import { wireEvent } from '../harness/editor-events';

/**
 * Every route of the quota service under malformed bodies, parameters and headers: never a 5xx,
 * never a stack trace or HTML, always `{error, details}` on a 4xx, and the balance untouched.
 */
describe('quota service under fuzzed requests', () => {
  const prefix = isolatedPrefix('fuzz');
  const account = `${prefix}acct`;
  let projector: ProjectorProcess;
  let service: QuotaService;

  beforeAll(async () => {
    projector = await startProjector(prefix);
    service = await startQuotaService(prefix, { GENERATION_TIMEOUT_MS: '300' });
    const topUp = wireEvent(account, 'TopUpPurchased', '2026-11-20T09:00:00Z', {
      purchaseId: 'p',
      credits: 10,
    });
    expect((await service.call('worker', 'POST', '/events', topUp)).status).toBe(202);
    const deadline = Date.now() + 15_000;
    while (
      (await service.call('worker', 'GET', `/accounts/${account}/balance`)).status !== 200 &&
      Date.now() < deadline
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
  });
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
    await projector?.process.stop('SIGTERM');
  });

  const routes = [
    ['GET', (id: string) => `/accounts/${id}/balance`],
    ['GET', (id: string) => `/accounts/${id}/ledger`],
    ['POST', (id: string) => `/accounts/${id}/authorizations`],
    ['POST', (id: string) => `/accounts/${id}/generations`],
    ['POST', (id: string) => `/accounts/${id}/generations/${id}/accept`],
    ['POST', (id: string) => `/accounts/${id}/generations/${id}/reject`],
    ['POST', () => '/events'],
    ['GET', () => '/health'],
  ] as const;

  // Path segments and query strings a broken client might send, URL-encoded as a client would.
  const segment = fc.oneof(
    fc.constant(account),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('..', '%00', 'a'.repeat(300), '<script>', ' ', '💳'),
  );
  const query = fc.dictionary(
    fc.constantFrom('asOf', 'from', 'to', 'x', '__proto__'),
    fc.oneof(fc.string({ maxLength: 40 }), fc.constant('2026-11-20T10:00:00Z')),
  );
  const body = fc.oneof(
    fc.anything({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null'),
    fc.string({ maxLength: 300 }),
    fc.constantFrom(
      '{',
      '[]',
      'null',
      '{"__proto__":{"admin":true}}',
      '{"generationId":{"$gt":""}}',
    ),
  );
  const headers = fc.record(
    {
      'content-type': fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
      ),
      authorization: fc.oneof(
        fc.constant(''),
        fc.string({ maxLength: 80 }).map((value) => `Bearer ${value}`),
        fc.constant('Basic Zm9vOmJhcg=='),
      ),
    },
    { requiredKeys: [] },
  );

  it('never answers 5xx, always JSON {error, details} on a 4xx, never a stack trace, and changes no balance', async () => {
    const before = (await service.call('ops', 'GET', `/accounts/${account}/balance`)).body;
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        segment,
        query,
        body,
        headers,
        fc.constantFrom('worker', 'finance', 'ops', null, 'given'),
        async ([method, path], id, params, payload, extraHeaders, role) => {
          const search = new URLSearchParams(params).toString();
          const url = `${path(encodeURIComponent(id))}${search ? `?${search}` : ''}`;
          const sendHeaders: Record<string, string> = Object.fromEntries(
            Object.entries(extraHeaders).filter(
              ([name, value]) => name !== 'authorization' || role === 'given' || value === '',
            ),
          );
          const answer = await service.call(
            role === 'given' ? null : role,
            method,
            url,
            method === 'POST' ? payload : undefined,
            sendHeaders,
          );
          statuses.add(answer.status);
          expect(answer.status).toBeLessThan(500);
          expect(answer.text).not.toMatch(/<html|<!DOCTYPE|\n\s+at .+:\d+:\d+/i);
          if (answer.status >= 400 && !(answer.status === 503 && path(account) === '/health')) {
            expect(typeof answer.body?.error).toBe('string');
            expect(Array.isArray(answer.body?.details)).toBe(true);
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
    );
    const after = (await service.call('ops', 'GET', `/accounts/${account}/balance`)).body;
    expect(after).toEqual(before);
    // The fuzz reached past the key check into validation and the handlers, not just 401s.
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 400, 401, 403, 404]));
  });
});
