import { Pool } from 'pg';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';
import { wireEvent } from '../harness/editor-events';
import { eventually } from '../harness/eventually';

const databaseUrl = process.env.DATABASE_URL ?? '';

describe('quota service over HTTP, with the projector, the real broker and PostgreSQL', () => {
  const prefix = isolatedPrefix('quota');
  let projector: ProjectorProcess;
  let service: QuotaService;
  let topUpCount = 0;

  /** A new account holding `credits`, published through POST /events and visible in its balance. */
  async function accountWith(credits: number): Promise<string> {
    topUpCount += 1;
    const accountId = `${prefix}acct-${topUpCount}`;
    const event = wireEvent(accountId, 'TopUpPurchased', '2026-11-20T09:00:00Z', {
      purchaseId: `p-${topUpCount}`,
      credits,
    });
    expect((await service.call('billing', 'POST', '/events', event)).status).toBe(202);
    await eventually(
      () => service.call('billing', 'GET', `/accounts/${accountId}/balance`),
      (answer) => answer.status === 200,
    );
    return accountId;
  }

  beforeAll(async () => {
    projector = await startProjector(prefix);
    service = await startQuotaService(prefix);
  });
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
    await projector?.process.stop('SIGTERM');
  });

  it('given an account with credits for exactly three kept 1K edits, when 30 generations are requested at once, then exactly 3 are approved, 27 refused, and available never goes below zero', async () => {
    const accountId = await accountWith(9);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        service.call('worker', 'POST', `/accounts/${accountId}/generations`, {
          generationId: `burst-${index}`,
          editType: 'virtual_staging',
          resolution: '1K',
        }),
      ),
    );
    const approved = answers.filter((answer) => answer.status === 201);
    const refused = answers.filter((answer) => answer.status === 402);
    expect([approved.length, refused.length]).toEqual([3, 27]);
    for (const answer of approved)
      expect(answer.body).toMatchObject({ decision: 'approved', charged: 1, held: 2 });
    for (const answer of refused)
      expect(answer.body).toEqual({
        decision: 'refused',
        required: 3,
        available: 0,
        reason: 'insufficient_credits',
        message: 'the account has 0 credits available; this edit needs 3',
      });
    expect(answers.every((answer) => answer.body.available >= 0)).toBe(true);

    const balance = await eventually(
      () => service.call('finance', 'GET', `/accounts/${accountId}/balance`),
      (answer) => answer.body?.held === 6,
    );
    expect(balance.body).toMatchObject({ accountId, available: 0, held: 6 });
    const ledger = await service.call('finance', 'GET', `/accounts/${accountId}/ledger`);
    expect(
      ledger.body.entries
        .map((entry: { available: number }) => entry.available)
        .every((a: number) => a >= 0),
    ).toBe(true);
  });

  it('given a generation already decided, when its generationId is requested again, then the first decision comes back', async () => {
    const accountId = await accountWith(3);
    const request = { generationId: 'once', editType: 'twilight', resolution: '2K' };
    const first = await service.call(
      'worker',
      'POST',
      `/accounts/${accountId}/generations`,
      request,
    );
    expect(first.status).toBe(201);
    const again = await service.call(
      'worker',
      'POST',
      `/accounts/${accountId}/generations`,
      request,
    );
    expect([again.status, again.body]).toEqual([201, first.body]);
  });

  it('given an approved generation, when accepted and another rejected, then 202 each and the balance shows the kept cost and the released hold', async () => {
    const accountId = await accountWith(12);
    for (const generationId of ['keep-me', 'drop-me'])
      expect(
        (
          await service.call('worker', 'POST', `/accounts/${accountId}/generations`, {
            generationId,
            editType: 'inpainting',
            resolution: '4K',
          })
        ).status,
      ).toBe(201);
    expect(
      (await service.call('worker', 'POST', `/accounts/${accountId}/generations/keep-me/accept`))
        .status,
    ).toBe(202);
    expect(
      (await service.call('worker', 'POST', `/accounts/${accountId}/generations/drop-me/reject`))
        .status,
    ).toBe(202);
    const balance = await eventually(
      () => service.call('worker', 'GET', `/accounts/${accountId}/balance`),
      // Held is 0 before the generations too: wait until the balance has moved past that.
      (answer) => answer.body?.held === 0 && answer.body?.available !== 12,
    );
    // 12 - kept 4K (6) - rejected 4K (2) = 4
    expect(balance.body).toMatchObject({ available: 4, held: 0 });

    const usage = new Pool({ connectionString: databaseUrl, max: 1 });
    try {
      const { rows } = await eventually(
        () =>
          usage.query(
            'SELECT kept, discarded, credits::int AS credits FROM rm_usage_daily WHERE account_id = $1',
            [accountId],
          ),
        (result) => result.rows[0]?.kept === 1 && result.rows[0]?.discarded === 1,
      );
      expect(rows).toEqual([{ kept: 1, discarded: 1, credits: 8 }]);
    } finally {
      await usage.end();
    }
  });

  it('given an account, when authorizations are asked, then they say what it may afford and change nothing', async () => {
    const accountId = await accountWith(4);
    const fourK = await service.call('worker', 'POST', `/accounts/${accountId}/authorizations`, {
      editType: 'twilight',
      resolution: '4K',
    });
    expect([fourK.status, fourK.body]).toEqual([
      200,
      {
        allowed: false,
        generateCost: 2,
        acceptCost: 4,
        available: 4,
        reason: 'insufficient_credits',
      },
    ]);
    const oneK = await service.call('worker', 'POST', `/accounts/${accountId}/authorizations`, {
      editType: 'twilight',
      resolution: '1K',
    });
    expect(oneK.body).toEqual({ allowed: true, generateCost: 1, acceptCost: 2, available: 4 });
    const crop = await service.call('worker', 'POST', `/accounts/${accountId}/authorizations`, {
      editType: 'crop',
    });
    expect(crop.body).toEqual({ allowed: true, generateCost: 0, acceptCost: 0, available: 4 });
    expect(
      (await service.call('worker', 'GET', `/accounts/${accountId}/balance`)).body.available,
    ).toBe(4);
  });

  it('given a ledger, then finance reads its lines and balances as of past instants', async () => {
    const accountId = await accountWith(5);
    const later = {
      ...wireEvent(accountId, 'CreditsAdjusted', '2026-11-21T09:00:00Z', {
        adjustmentId: 'a1',
        credits: -2,
        reason: 'refund reversal',
      }),
      // Whoever a caller claims to be, the service records the key that asked.
      publishedby: 'someone-else',
    };
    expect((await service.call('billing', 'POST', '/events', later)).status).toBe(202);
    const ledger = await eventually(
      () => service.call('finance', 'GET', `/accounts/${accountId}/ledger`),
      (answer) => answer.body?.entries?.length === 2,
    );
    expect(ledger.body.entries).toMatchObject([
      { type: 'CreditsGranted', credits: 5, available: 5, time: '2026-11-20T09:00:00.000Z' },
      {
        type: 'CreditsAdjusted',
        credits: -2,
        available: 3,
        sourceEventId: later.id,
        publishedBy: 'billing-key',
      },
    ]);
    const window = await service.call(
      'finance',
      'GET',
      `/accounts/${accountId}/ledger?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z`,
    );
    expect(window.body.entries).toHaveLength(1);
    const before = await service.call(
      'finance',
      'GET',
      `/accounts/${accountId}/balance?asOf=2026-11-20T12:00:00Z`,
    );
    expect(before.body).toMatchObject({ accountId, available: 5, held: 0 });
    const after = await service.call(
      'finance',
      'GET',
      `/accounts/${accountId}/balance?asOf=2026-11-22T00:00:00Z`,
    );
    expect(after.body).toMatchObject({ available: 3 });
  });

  describe('keys and roles', () => {
    it.each([
      ['no key', null, 'GET', '/accounts/x/balance', 401],
      ['an unknown key', 'unknown', 'GET', '/accounts/x/balance', 401],
      ['a worker reading a ledger', 'worker', 'GET', '/accounts/x/ledger', 403],
      ...(['worker', 'billing'] as const).map(
        (role) =>
          [
            `a ${role} asking a past balance`,
            role,
            'GET',
            '/accounts/x/balance?asOf=2026-11-01T00:00:00Z',
            403,
          ] as const,
      ),
      ['finance publishing an event', 'finance', 'POST', '/events', 403],
      ['billing requesting a generation', 'billing', 'POST', '/accounts/x/generations', 403],
      ['billing reading a ledger', 'billing', 'GET', '/accounts/x/ledger', 403],
      [
        'finance requesting a generation',
        'finance',
        'POST',
        '/accounts/x/generations/g/accept',
        403,
      ],
    ] as const)('given %s (%s: %s %s), then %i', async (_label, role, method, path, status) => {
      const answer =
        role === 'unknown'
          ? await service.call(null, method, path, undefined, {
              authorization: 'Bearer not-a-known-key',
            })
          : await service.call(role, method, path, method === 'POST' ? {} : undefined);
      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ error: status === 401 ? 'unauthorized' : 'forbidden' });
      expect(answer.body.details.length).toBeGreaterThan(0);
    });

    it.each([
      ['worker', 'TopUpPurchased', { purchaseId: 'mint', credits: 1_000 }, 'billing and ops'],
      [
        'worker',
        'AllowanceGranted',
        {
          plan: 'pro',
          credits: 1_000,
          periodStart: '2026-11-01T00:00:00Z',
          periodEnd: '2026-12-01T00:00:00Z',
        },
        'billing and ops',
      ],
      [
        'worker',
        'CreditsAdjusted',
        { adjustmentId: 'mint', credits: 1_000, reason: 'x' },
        'billing and ops',
      ],
      ['billing', 'GenerationRequested', { generationId: 'g', editType: 'crop' }, 'worker and ops'],
      ['billing', 'EditAccepted', { generationId: 'g' }, 'worker and ops'],
    ] as const)(
      'given the %s role posting %s, then 403 naming the type and the role, and nothing is published',
      async (role, type, data, allowed) => {
        const accountId = `${prefix}forbidden-${role}-${type}`;
        const answer = await service.call(
          role,
          'POST',
          '/events',
          wireEvent(accountId, type, '2026-11-20T09:00:00Z', data),
        );
        expect([answer.status, answer.body]).toEqual([
          403,
          {
            error: 'forbidden',
            details: [`the ${role} role may not publish ${type} (only ${allowed} may)`],
          },
        ]);
      },
    );

    it('given ops, then every route is open to it; /health, /metrics and /docs need no key', async () => {
      expect((await service.call('ops', 'GET', '/accounts/nobody-here/ledger')).status).toBe(404);
      const health = await service.call(null, 'GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body.info).toMatchObject({
        kafka: { status: 'up' },
        postgres: { status: 'up' },
        eventStore: { status: 'up' },
      });
      const metrics = await service.call(null, 'GET', '/metrics');
      expect(metrics.text).toContain('credits_quota_http_request_seconds_bucket');
      expect(metrics.text).toContain(
        'credits_quota_generation_decisions_total{outcome="approved"}',
      );
      expect(metrics.text).toContain('credits_quota_read_model_lag_seconds{read_model="balances"}');
      const docs = await service.call(null, 'GET', '/docs-json');
      expect(Object.keys(docs.body.paths)).toEqual(
        expect.arrayContaining([
          '/accounts/{id}/balance',
          '/accounts/{id}/ledger',
          '/accounts/{id}/authorizations',
          '/accounts/{id}/generations',
          '/accounts/{id}/generations/{generationId}/accept',
          '/accounts/{id}/generations/{generationId}/reject',
          '/accounts/{id}/holds',
          '/accounts/{id}/usage',
          '/usage',
          '/events',
          '/ops/status',
          '/ops/dead-letters',
          '/ops/dead-letters/replay',
          '/whoami',
        ]),
      );
    });
  });

  describe('bad requests get a JSON 4xx naming the problem', () => {
    it.each([
      [
        'a missing generationId and a bad resolution',
        'POST',
        '/accounts/a/generations',
        { editType: 'twilight', resolution: '8K' },
        400,
        ['generationId', 'resolution'],
      ],
      [
        'a field the route does not take',
        'POST',
        '/accounts/a/authorizations',
        { editType: 'crop', price: 0 },
        400,
        ['price'],
      ],
      ['an account id with a space', 'GET', '/accounts/a%20b/balance', undefined, 400, ['id']],
      [
        'an asOf that is not an instant',
        'GET',
        '/accounts/a/balance?asOf=yesterday',
        undefined,
        400,
        ['asOf'],
      ],
      [
        'an asOf at a leap second',
        'GET',
        '/accounts/a/balance?asOf=2026-06-30T23:59:60Z',
        undefined,
        400,
        ['asOf must be an RFC 3339 date-time naming a real instant'],
      ],
      [
        'a ledger window from 30 February',
        'GET',
        '/accounts/a/ledger?from=2026-02-30T00:00:00Z',
        undefined,
        400,
        ['from must be'],
      ],
      [
        'an event at 30 February',
        'POST',
        '/events',
        {
          specversion: '1.0',
          id: 'e-feb-30',
          source: 'editor',
          type: 'EditRejected',
          time: '2026-02-30T10:00:00Z',
          subject: 'a',
          data: { generationId: 'g' },
        },
        400,
        ['time must be an RFC 3339 date-time naming a real instant'],
      ],
      [
        'a ledger window that is not instants',
        'GET',
        '/accounts/a/ledger?from=monday',
        undefined,
        400,
        ['from'],
      ],
      [
        'an event with bad fields',
        'POST',
        '/events',
        { specversion: '1.0', type: 'TopUpPurchased', subject: 'a', data: { credits: 0 } },
        400,
        ['id', 'time', 'data.credits'],
      ],
      [
        'a top-up priced in half cents of an unknown currency',
        'POST',
        '/events',
        {
          specversion: '1.0',
          id: 'e-price',
          source: 'billing',
          type: 'TopUpPurchased',
          time: '2026-11-20T10:00:00Z',
          subject: 'a',
          data: { purchaseId: 'p', credits: 5, price: { amount: 49.5, currency: 'EURO' } },
        },
        400,
        ['data.price.amount'],
      ],
      ['a route that does not exist', 'GET', '/accounts/a/secrets', undefined, 404, []],
    ] as const)('given %s', async (_label, method, path, body, status, fields) => {
      const answer = await service.call('ops', method, path, body);
      expect(answer.status).toBe(status);
      expect(typeof answer.body.error).toBe('string');
      for (const field of fields) expect(answer.body.details.join('\n')).toContain(field);
      expect(answer.text).not.toMatch(/<html|at .*\.js:\d+/);
    });

    it('given malformed JSON or a body over 64 KiB, then 400 or 413 as JSON', async () => {
      const malformed = await service.call('worker', 'POST', '/events', '{"specversion":');
      expect([malformed.status, typeof malformed.body?.error]).toEqual([400, 'string']);
      const huge = await service.call(
        'worker',
        'POST',
        '/events',
        JSON.stringify({ pad: 'x'.repeat(70_000) }),
      );
      expect([huge.status, huge.body?.error]).toEqual([413, 'body_too_large']);
    });
  });

  it('given no projector deciding, when a generation is requested, then 504 after the configured timeout', async () => {
    const lonely = await startQuotaService(isolatedPrefix('lonely'), {
      GENERATION_TIMEOUT_MS: '500',
    });
    try {
      const answer = await lonely.call('worker', 'POST', '/accounts/a/generations', {
        generationId: 'g',
        editType: 'crop',
      });
      expect([answer.status, answer.body.error]).toEqual([504, 'decision_timeout']);
    } finally {
      await lonely.process.stop('SIGTERM');
    }
  });
});
