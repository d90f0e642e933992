import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { backoffDelay } from '@credits/event-store';
import { StartupError, within } from '@credits/runtime';

/** What a supervised thread says: it started (or failed to), and anything else for the owner. */
export type ThreadMessage<T> =
  { readonly kind: 'started' } | { readonly kind: 'failed'; readonly problems: string[] } | T;

export interface SupervisedThreadOptions<T> {
  /** The compiled script the thread runs. */
  readonly script: string;
  readonly onMessage: (message: ThreadMessage<T>) => void;
  readonly logger: {
    warn(details: object, message: string): void;
    error(details: object, message: string): void;
  };
  readonly restartBackoffMs?: { readonly initial: number; readonly max: number };
}

/**
 * A worker thread that must keep running while the process does: start() resolves when the
 * thread says it started (and rejects, with its problems, when it says it failed); a thread that
 * ends on its own afterwards is started again, with backoff, until stop(). stop() sends
 * `{kind: 'stop'}` and waits for the thread to end, then terminates it if it did not in time.
 */
export class SupervisedThread<T extends { readonly kind: string }> {
  private worker: Worker | null = null;
  private readonly stopping = new AbortController();

  constructor(private readonly options: SupervisedThreadOptions<T>) {}

  start(): Promise<void> {
    const worker = new Worker(this.options.script);
    this.worker = worker;
    let started = false;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: ThreadMessage<T>) => {
        if (message.kind === 'failed') {
          reject(new StartupError((message as { problems: string[] }).problems.join('; ')));
          // Whatever it had opened before failing (a pool, say) must not outlive it.
          void worker.terminate();
          return;
        }
        if (message.kind === 'started') {
          started = true;
          resolve();
        }
        this.options.onMessage(message);
      });
      worker.on('error', (error) => {
        this.options.logger.error({ error: error.message }, 'a supervised thread failed');
        reject(error);
      });
      worker.once('exit', (code) => {
        reject(new Error(`the thread ended (exit code ${code}) before it started`));
        if (started && !this.stopping.signal.aborted) void this.restart();
      });
    });
  }

  private async restart(): Promise<void> {
    const backoff = this.options.restartBackoffMs ?? { initial: 200, max: 10_000 };
    for (let failures = 1; !this.stopping.signal.aborted; failures += 1) {
      this.options.logger.warn({ failures }, 'a supervised thread ended: starting it again');
      const waited = await sleep(backoffDelay(failures, backoff.initial, backoff.max), true, {
        signal: this.stopping.signal,
      }).catch(() => false);
      if (!waited) return;
      try {
        return await this.start();
      } catch (error) {
        this.options.logger.error(
          { error: (error as Error).message },
          'a supervised thread could not start',
        );
      }
    }
  }

  async stop(timeoutMs: number): Promise<void> {
    this.stopping.abort();
    const worker = this.worker;
    if (!worker || worker.threadId === -1) return;
    const exited = once(worker, 'exit');
    worker.postMessage({ kind: 'stop' });
    await within(timeoutMs, exited).catch(() => worker.terminate());
  }

  /** Ends the thread at once, without waiting for it to stop its work. */
  async terminate(): Promise<void> {
    this.stopping.abort();
    await this.worker?.terminate();
  }
}
