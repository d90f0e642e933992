import { PartitionTurns } from './partition-turns';

function signal() {
  let fire = () => {};
  const fired = new Promise<void>((resolve) => (fire = resolve));
  return { fire, fired };
}

describe('turns per partition number', () => {
  it('given two chunks of the same partition number, then the second starts only after the first ends', async () => {
    const turns = new PartitionTurns();
    const log: string[] = [];
    const firstMayEnd = signal();
    const firstStarted = signal();
    const first = turns.run(3, async () => {
      log.push('usage starts');
      firstStarted.fire();
      await firstMayEnd.fired;
      log.push('usage ends');
    });
    const second = turns.run(3, async () => {
      log.push('billing runs');
    });
    await firstStarted.fired;
    expect(log).toEqual(['usage starts']);
    firstMayEnd.fire();
    await Promise.all([first, second]);
    expect(log).toEqual(['usage starts', 'usage ends', 'billing runs']);
    expect(turns.busy).toBe(0);
  });

  it('given chunks of other partition numbers, then they run at the same time', async () => {
    const turns = new PartitionTurns();
    const bothStarted = [signal(), signal()];
    const run = (partition: number, mine: number, other: number) =>
      turns.run(partition, async () => {
        bothStarted[mine]?.fire();
        await bothStarted[other]?.fired;
      });
    await Promise.all([run(0, 0, 1), run(1, 1, 0)]);
    expect(turns.busy).toBe(0);
  });

  it('given a chunk that fails, then the next one still gets its turn', async () => {
    const turns = new PartitionTurns();
    const failing = turns.run(0, () => Promise.reject(new Error('store away')));
    const next = turns.run(0, () => Promise.resolve('ran'));
    await expect(failing).rejects.toThrow('store away');
    await expect(next).resolves.toBe('ran');
  });
});
