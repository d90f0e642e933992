import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StartupError } from '@credits/runtime';
import { SupervisedThread } from '../src/read-models/supervised-thread';

type Said = { kind: string };

function supervise(script: string) {
  const said: string[] = [];
  const warnings: string[] = [];
  const thread = new SupervisedThread<Said>({
    script: path.join(__dirname, 'threads', script),
    onMessage: (message) => said.push(message.kind),
    logger: {
      warn: (_details, message) => warnings.push(message),
      error: (_details, message) => warnings.push(message),
    },
    restartBackoffMs: { initial: 10, max: 20 },
  });
  return { thread, said, warnings };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(10);
  }
}

describe('a supervised thread', () => {
  it('given a thread that ends on its own after it started, then it is started again until stopped', async () => {
    const { thread, said, warnings } = supervise('starts-then-ends.js');
    await thread.start();
    await until(() => said.length >= 3);
    expect(warnings).toContain('a supervised thread ended: starting it again');
    await thread.stop(1_000);
    const startsAtStop = said.length;
    await sleep(200);
    expect(said.length).toBe(startsAtStop);
  });

  it('given a thread that reports a failure at start, then start rejects with its problems, the thread is ended and nothing restarts it', async () => {
    const { thread, said, warnings } = supervise('fails-to-start.js');
    const started = thread.start();
    await expect(started).rejects.toBeInstanceOf(StartupError);
    await expect(started).rejects.toThrow('PostgreSQL at nowhere:5432 cannot be used');
    await sleep(200);
    // Left running, it would have said so about twenty times by now.
    expect(said.filter((kind) => kind === 'still-running').length).toBeLessThan(3);
    expect(said.filter((kind) => kind === 'started')).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('given a running thread, when stopped, then it is asked to stop, ends, and is not started again', async () => {
    const { thread, said, warnings } = supervise('stops-when-asked.js');
    await thread.start();
    await thread.stop(5_000);
    expect(said).toEqual(['started', 'stopped']);
    await sleep(200);
    expect(said).toEqual(['started', 'stopped']);
    expect(warnings).toEqual([]);
  });
});
