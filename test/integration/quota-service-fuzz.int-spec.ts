import fc from 'fast-check';
import { API_ROLES } from '@credits/config';
import { BILLING_EVENT_TYPES, EDITOR_EVENT_TYPES, USAGE_EVENT_TYPES } from '@credits/contract';
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
    expect((await service.call('billing', 'POST', '/events', topUp)).status).toBe(202);
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

  /** A valid body of each type: whatever is refused is refused for its type, not its fields. */
  const dataOf: Record<(typeof EDITOR_EVENT_TYPES)[number], Record<string, unknown>> = {
    GenerationRequested: { generationId: 'g', editType: 'twilight', resolution: '1K' },
    EditAccepted: { generationId: 'g' },
    EditRejected: { generationId: 'g' },
    AllowanceGranted: {
      plan: 'pro',
      credits: 500,
      periodStart: '2026-11-01T00:00:00Z',
      periodEnd: '2026-12-01T00:00:00Z',
    },
    TopUpPurchased: { purchaseId: 'minted', credits: 500 },
    CreditsAdjusted: { adjustmentId: 'minted', credits: 500, reason: 'x' },
    ChargeRefunded: { refundId: 'r', generationId: 'g', reason: 'x' },
    GrantVoided: { grantId: 'minted', reason: 'x' },
    PlanChanged: { plan: 'pro', effectiveAt: '2026-11-01T00:00:00Z' },
    MemberCapSet: { memberId: 'agent', credits: 0 },
    BalanceThresholdSet: { credits: 0 },
    AutoTopUpConfigured: { threshold: 0, credits: 0 },
  };
  const mayPublish = (role: (typeof API_ROLES)[number], type: string) =>
    role === 'ops' ||
    (role === 'worker' && (USAGE_EVENT_TYPES as readonly string[]).includes(type)) ||
    (role === 'billing' && (BILLING_EVENT_TYPES as readonly string[]).includes(type));

  it('given every role posting every type, then each forbidden one is a 403 naming both, and no balance changes', async () => {
    const before = (await service.call('ops', 'GET', `/accounts/${account}/balance`)).body;
    let forbidden = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...API_ROLES),
        fc.constantFrom(...EDITOR_EVENT_TYPES),
        fc.option(fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/), { nil: undefined }),
        async (role, type, publishedby) => {
          const event = {
            ...wireEvent(account, type, '2026-11-20T10:00:00Z', dataOf[type]),
            ...(publishedby === undefined ? {} : { publishedby }),
          };
          if (mayPublish(role, type)) return;
          forbidden += 1;
          const answer = await service.call(role, 'POST', '/events', event);
          expect(answer.status).toBe(403);
          expect(answer.body.error).toBe('forbidden');
          expect(answer.body.details.join('\n')).toMatch(
            role === 'finance'
              ? /the finance role may not POST \/events/
              : new RegExp(`the ${role} role may not publish ${type}`),
          );
        },
      ),
      { numRuns: 60 },
    );
    expect(forbidden).toBeGreaterThan(0);
    // Everything allowed still goes through: a projector-side check that nothing above landed.
    const probe = wireEvent(account, 'EditRejected', '2026-11-20T10:00:00Z', {
      generationId: 'never-requested',
    });
    expect((await service.call('worker', 'POST', '/events', probe)).status).toBe(202);
    // Only the probe is stamped at that instant (the fuzz above publishes at the time it runs).
    const window = `/accounts/${account}/ledger?from=2026-11-20T10:00:00Z&to=2026-11-20T10:00:01Z`;
    const deadline = Date.now() + 15_000;
    let ledger = await service.call('ops', 'GET', window);
    while ((ledger.body?.entries?.length ?? 0) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ledger = await service.call('ops', 'GET', window);
    }
    expect(ledger.body.entries).toEqual([
      expect.objectContaining({
        type: 'EventIgnored',
        sourceEventId: probe.id,
        publishedBy: 'worker-key',
      }),
    ]);
    const after = (await service.call('ops', 'GET', `/accounts/${account}/balance`)).body;
    expect(after).toEqual(before);
  });

  it.each(['', 'has space', 'x'.repeat(65), 'key\u0000id', 'émile'])(
    'given publishedby %j, then 400 naming publishedby',
    async (publishedby) => {
      const event = {
        ...wireEvent(account, 'EditRejected', '2026-11-20T10:00:00Z', { generationId: 'g' }),
        publishedby,
      };
      const answer = await service.call('worker', 'POST', '/events', event);
      expect(answer.status).toBe(400);
      expect(answer.body.details.join('\n')).toContain('publishedby');
    },
  );
});
