import { wireEvent } from '../harness/editor-events';
import { eventually } from '../harness/eventually';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

const TIME = '2026-12-01T09:00:00Z';
const LOCK_TIMEOUT_MS = 1_000;

/** `credits_leader{work}` and each read model's lag, as one /metrics answer gives them. */
function figuresOf(text: string, work: string) {
  const leader = new RegExp(`^credits_leader\\{work="${work}"\\} (\\d)`, 'm').exec(text);
  const lag = /^credits_quota_read_model_lag_seconds\{read_model="balances"\} ([\d.e+-]+)/m.exec(
    text,
  );
  return { leader: leader ? Number(leader[1]) : null, lagSeconds: lag ? Number(lag[1]) : null };
}

const quotaFigures = async (service: QuotaService) =>
  figuresOf((await service.call(null, 'GET', '/metrics')).text, 'read-models');
const projectorFigures = async (projector: ProjectorProcess) =>
  figuresOf(await (await fetch(projector.metricsUrl)).text(), 'expiry-sweeper');

describe('one leader per singleton, however many replicas run', () => {
  const prefix = isolatedPrefix('lead');
  const env = {
    LEADER_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
    PROJECTOR_SWEEP_INTERVAL_MS: '200',
  };
  let projectors: ProjectorProcess[] = [];
  let services: QuotaService[] = [];

  const topUp = async (service: QuotaService, accountId: string, purchaseId: string) => {
    const answer = await service.call(
      'billing',
      'POST',
      '/events',
      wireEvent(accountId, 'TopUpPurchased', TIME, { purchaseId, credits: 10 }),
    );
    expect(answer.status).toBe(202);
  };
  const available = async (service: QuotaService, accountId: string) => {
    const answer = await service.call('worker', 'GET', `/accounts/${accountId}/balance`);
    return answer.status === 200 ? (answer.body as { available: number }).available : null;
  };
  /** Each replica's leader gauge once exactly one of them leads. */
  const leaders = <T>(replicas: T[], figures: (replica: T) => Promise<{ leader: number | null }>) =>
    eventually(
      async () => Promise.all(replicas.map(async (replica) => (await figures(replica)).leader)),
      (gauges) => gauges.filter((gauge) => gauge === 1).length === 1 && !gauges.includes(null),
    );

  beforeAll(async () => {
    projectors = await Promise.all([startProjector(prefix, env), startProjector(prefix, env)]);
    services = await Promise.all([startQuotaService(prefix, env), startQuotaService(prefix, env)]);
  });
  afterAll(async () => {
    // A leader frozen by a test that failed before killing it must be able to hear SIGTERM.
    for (const { process } of [...services, ...projectors]) process.child.kill('SIGCONT');
    await Promise.all([...services, ...projectors].map(({ process }) => process.stop('SIGTERM')));
  });

  it('given two projectors and two quota services, when they run, then one of each leads its work, the others stand by, and the read models are kept once without checkpoint conflicts', async () => {
    expect((await leaders(services, quotaFigures)).sort()).toEqual([0, 1]);
    expect((await leaders(projectors, projectorFigures)).sort()).toEqual([0, 1]);

    const accountId = `${prefix}agency`;
    await topUp(services[0] as QuotaService, accountId, 'first');
    for (const service of services)
      expect(
        await eventually(
          () => available(service, accountId),
          (n) => n === 10,
        ),
      ).toBe(10);
    for (const { process } of services)
      expect(process.stdout.join('\n')).not.toContain('restart from their checkpoints');
  });

  it('given the read models leader frozen, when events come, then the replica standing by shows the lag; when the leader is killed, it takes over and catches up', async () => {
    const gauges = await leaders(services, quotaFigures);
    const leader = services[gauges.indexOf(1)] as QuotaService;
    const standby = services[gauges.indexOf(0)] as QuotaService;

    // Frozen, the leader keeps its session and its lock, and does nothing: the gap a hung
    // leader leaves, until it dies.
    leader.process.child.kill('SIGSTOP');
    const accountId = `${prefix}gap`;
    await topUp(standby, accountId, 'during-the-gap');
    const lagging = await eventually(
      () => quotaFigures(standby),
      ({ lagSeconds }) => (lagSeconds ?? 0) > 0,
    );
    expect(lagging).toMatchObject({ leader: 0 });
    expect(lagging.lagSeconds).toBeGreaterThan(0);
    expect(await available(standby, accountId)).toBeNull();

    const killedAt = Date.now();
    await leader.process.stop('SIGKILL');
    const taken = await eventually(
      () => quotaFigures(standby),
      ({ leader: gauge }) => gauge === 1,
    );
    expect(taken.leader).toBe(1);
    console.log(
      `read models taken over ${Date.now() - killedAt} ms after the leader was killed (lock timeout ${LOCK_TIMEOUT_MS} ms)`,
    );
    expect(
      await eventually(
        () => available(standby, accountId),
        (n) => n === 10,
      ),
    ).toBe(10);
    expect(
      await eventually(
        () => quotaFigures(standby),
        ({ lagSeconds }) => lagSeconds === 0,
      ),
    ).toMatchObject({ lagSeconds: 0 });
    services = services.filter((service) => service !== leader);
  });

  it('given the expiry sweeper leader killed, when the other projector sees the lock free, then it sweeps instead', async () => {
    const gauges = await leaders(projectors, projectorFigures);
    const leader = projectors[gauges.indexOf(1)] as ProjectorProcess;
    const standby = projectors[gauges.indexOf(0)] as ProjectorProcess;
    await leader.process.stop('SIGKILL');
    projectors = projectors.filter((projector) => projector !== leader);
    expect(
      await eventually(
        () => projectorFigures(standby),
        ({ leader: gauge }) => gauge === 1,
      ),
    ).toMatchObject({ leader: 1 });
  });
});
