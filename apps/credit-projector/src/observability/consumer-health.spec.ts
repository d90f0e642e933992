import { ConsumerHealth, FAILED_STARTS_UNHEALTHY } from './consumer-health';

const at = (partition: number) => ({ topic: 'editor-events', partition });
const on = (...partitions: number[]) => partitions.map(at);

function healthAt() {
  const clock = { ms: 1_000_000 };
  const health = new ConsumerHealth(
    { stallAfterMs: 60_000, loopSilenceMs: 30_000 },
    () => clock.ms,
  );
  return { health, clock };
}

describe("the projector's view of its own consumer", () => {
  it('given a consumer that has not joined yet, then it is alive but not ready', () => {
    const { health } = healthAt();
    expect(health.liveness().ok).toBe(true);
    expect(health.readiness()).toEqual({
      ok: false,
      problems: ['the consumer is not in its group (starting, rebalancing or restarting)'],
    });
  });

  it('given a consumer in its group with no partitions, then it is not ready', () => {
    const { health } = healthAt();
    health.joined(on());
    expect(health.readiness().problems).toEqual(['the consumer owns no partitions']);
  });

  it('given the same partition number of two topics, then each is followed on its own', () => {
    const { health, clock } = healthAt();
    const billing = { topic: 'billing-events', partition: 0 };
    health.joined([at(0), billing]);
    health.observed(at(0), 10n, 0n, 10n);
    health.observed(billing, 0n, 0n, 50n);
    clock.ms += 120_000;
    health.loopActive();
    health.observed(billing, 0n, 0n, 50n);
    expect(health.responsibleFor()).toMatchObject([
      { topic: 'billing-events', partition: 0, lag: 50, stalled: true },
      { topic: 'editor-events', partition: 0, lag: 0, stalled: false },
    ]);
    expect(health.readiness().problems).toEqual([
      'billing-events partition 0 has lag 50 and no progress for 120000 ms',
    ]);
  });

  it('given partitions with lag that keep being committed, then it is ready however long it runs', () => {
    const { health, clock } = healthAt();
    health.joined(on(0, 1));
    for (let minute = 0; minute < 10; minute += 1) {
      clock.ms += 50_000;
      health.loopActive();
      health.committed(at(0), BigInt(minute * 100));
      health.observed(at(0), BigInt(minute * 100), 0n, 100_000n);
      health.observed(at(1), 100_000n, 0n, 100_000n);
    }
    expect(health.readiness()).toEqual({ ok: true, problems: [] });
  });

  it('given a partition with lag and no progress past the threshold, then it is stalled and the projector not ready, and its lag and silence keep growing', () => {
    const { health, clock } = healthAt();
    health.joined(on(3));
    health.observed(at(3), 10n, 0n, 50n);
    clock.ms += 60_001;
    health.loopActive();
    health.observed(at(3), 10n, 0n, 80n);
    const [partition] = health.responsibleFor();
    expect(partition).toMatchObject({
      partition: 3,
      lag: 70,
      stalled: true,
      sinceProgressMs: 60_001,
    });
    expect(health.readiness().problems).toEqual([
      'editor-events partition 3 has lag 70 and no progress for 60001 ms',
    ]);
  });

  it('given a partition with no lag, then no progress is no stall', () => {
    const { health, clock } = healthAt();
    health.joined(on(0));
    health.observed(at(0), 40n, 0n, 40n);
    clock.ms += 600_000;
    health.loopActive();
    health.observed(at(0), 40n, 0n, 40n);
    expect(health.readiness().ok).toBe(true);
  });

  it('given another member moving the committed offset, then that is progress', () => {
    const { health, clock } = healthAt();
    health.joined(on(0));
    health.observed(at(0), 10n, 0n, 100n);
    clock.ms += 59_000;
    health.observed(at(0), 20n, 0n, 100n);
    clock.ms += 59_000;
    health.loopActive();
    expect(health.responsibleFor()[0]?.stalled).toBe(false);
  });

  it('given a group that never committed, then lag counts from the first offset kept', () => {
    const { health } = healthAt();
    health.joined(on(0));
    health.observed(at(0), null, 500n, 800n);
    expect(health.responsibleFor()[0]?.lag).toBe(300);
  });

  it('given a crashed consumer, then its partitions stay its own, with lag growing, until it joins again', () => {
    const { health, clock } = healthAt();
    health.joined(on(0, 1));
    health.left();
    clock.ms += 120_000;
    health.observed(at(0), 5n, 0n, 900n);
    expect(health.responsibleFor().map((partition) => partition.partition)).toEqual([0, 1]);
    expect(health.responsibleFor()[0]).toMatchObject({ lag: 895, stalled: true });
    health.joined(on(1));
    expect(health.responsibleFor().map((partition) => partition.partition)).toEqual([1]);
  });

  it('given a partition taken on again after a long time elsewhere, then its silence counts from the new assignment', () => {
    const { health, clock } = healthAt();
    health.joined(on(0));
    health.observed(at(0), 5n, 0n, 900n);
    health.joined(on(1));
    clock.ms += 600_000;
    health.joined(on(0, 1));
    health.observed(at(0), 5n, 0n, 900n);
    expect(health.responsibleFor()[0]).toMatchObject({ sinceProgressMs: 0, stalled: false });
  });

  it('given a consumer loop silent for longer than the session timeout while in the group, then it is not alive', () => {
    const { health, clock } = healthAt();
    health.joined(on(0));
    clock.ms += 30_001;
    expect(health.liveness()).toEqual({
      ok: false,
      problems: ['the consumer loop has been silent for 30001 ms'],
    });
  });

  it(`given ${FAILED_STARTS_UNHEALTHY} failed starts in a row, then it is not alive until one succeeds`, () => {
    const { health } = healthAt();
    for (let attempt = 0; attempt < FAILED_STARTS_UNHEALTHY; attempt += 1)
      health.startFailed('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(health.liveness().ok).toBe(false);
    health.joined(on(0));
    expect(health.liveness().ok).toBe(true);
  });

  it('given a consumer that crashed and then could not start again, then it is not ready and says the latest reason, until it joins', () => {
    const { health } = healthAt();
    health.joined(on(0));
    health.left('crashed: The coordinator is not aware of this member');
    expect(health.readiness().problems).toEqual([
      'the consumer is not in its group (starting, rebalancing or restarting); latest: crashed: The coordinator is not aware of this member',
    ]);
    health.startFailed('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    health.left();
    expect(health.readiness().problems).toEqual([
      'the consumer is not in its group (starting, rebalancing or restarting); latest: could not start: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    ]);
    health.joined(on(0));
    health.left();
    expect(health.readiness().problems).toEqual([
      'the consumer is not in its group (starting, rebalancing or restarting)',
    ]);
  });

  it('given writes to the store failing for want of disk space, then it is not ready, says why and since when, across consumer restarts, until a write goes through', () => {
    const { health, clock } = healthAt();
    health.joined(on(0));
    health.storeWaiting('store_full', 'PostgreSQL is out of disk space: could not extend file');
    clock.ms += 5_000;
    health.storeWaiting('store_full', 'PostgreSQL is out of disk space: could not extend file');
    health.left();
    health.joined(on(0));
    expect(health.readiness()).toEqual({
      ok: false,
      problems: [
        'writes to the event store have failed for 5000 ms (store_full: free disk space on the store), nothing is committed meanwhile; latest: PostgreSQL is out of disk space: could not extend file',
      ],
    });
    health.storeWrote();
    expect(health.readiness().ok).toBe(true);
  });
});
