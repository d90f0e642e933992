import { isolatedPrefix } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

describe('the quota service access log: one line per answer, never a key', () => {
  const prefix = isolatedPrefix('access-log');
  let service: QuotaService;

  beforeAll(async () => {
    service = await startQuotaService(prefix, { LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
  });

  it('given requests with a known key, an unknown key and a probe, then each answer but the probe is logged with its route, status and the key id, and no line holds a key', async () => {
    const body = { editType: 'twilight', resolution: '2K' };
    await service.call('worker', 'POST', `/accounts/${prefix}a/authorizations`, body);
    await service.call(null, 'GET', '/health');
    const stranger = 'not-a-key-this-service-knows';
    await service.call(null, 'GET', `/accounts/${prefix}a/balance`, undefined, {
      authorization: `Bearer ${stranger}`,
    });
    // Written once the answer has gone, so it may follow the answer by a moment.
    const answered = async (route: string, status: number): Promise<string> => {
      const pattern = new RegExp(`"route":"${route}".*"statusCode":${status}`);
      for (;;) {
        const line = service.process.stdout.find((candidate) => pattern.test(candidate));
        if (line) return line;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const authorized = JSON.parse(await answered('/accounts/:id/authorizations', 200));
    expect(authorized).toMatchObject({
      msg: 'request completed',
      caller: 'worker-key',
      req: { method: 'POST', url: `/accounts/${prefix}a/authorizations` },
    });
    expect(typeof authorized.responseTimeMs).toBe('number');
    expect(JSON.parse(await answered('/accounts/:id/balance', 401))).toMatchObject({
      caller: null,
    });
    const lines = service.process.stdout.join('\n');
    expect(lines).not.toContain('"route":"/health"');
    for (const key of [...Object.values(service.keys), stranger]) expect(lines).not.toContain(key);
    expect(lines.toLowerCase()).not.toContain('authorization":');
  });
});
