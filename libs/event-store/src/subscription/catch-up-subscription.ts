import { setTimeout as sleep } from 'node:timers/promises';
import { EventStoreUnavailableError } from '../port/errors';
import type { AllPage, ReadAllOptions } from '../port/event-store';
import type { ReadFrom } from '../port/positions';
import type { CatchUpOptions, Subscription } from '../port/subscription';

/** Exponential, capped, with jitter so a fleet of subscribers does not retry in step. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

const isUnavailable = (error: unknown): boolean => error instanceof EventStoreUnavailableError;

/**
 * A catch-up subscription to the global log, built on paged reads: reads from a checkpoint to the
 * end, signals "caught up", then keeps polling. When the store is unavailable it retries with
 * bounded backoff from the last handled position, so nothing is skipped or handled twice in a row.
 */
export class CatchUpSubscription implements Subscription {
  readonly done: Promise<void>;
  private caughtUp = false;
  private position: ReadFrom;
  private readonly stopping = new AbortController();

  constructor(
    private readonly readAll: (options: ReadAllOptions) => Promise<AllPage>,
    private readonly options: CatchUpOptions,
  ) {
    this.position = options.from;
    this.done = this.run();
    // An owner that only calls stop() must not see an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  get checkpoint(): ReadFrom {
    return this.position;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { pageSize = 500, pollIntervalMs = 100, isTransient = isUnavailable } = this.options;
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 100, maxMs: 5_000 };
    let attempt = 0;
    while (!this.stopping.signal.aborted) {
      let page: AllPage;
      try {
        page = await this.readAll({
          from: this.position,
          maxCount: pageSize,
          ...(this.options.category === undefined ? {} : { category: this.options.category }),
        });
        if (page.events.length > 0 && page.lastPosition !== null)
          await this.options.handle(page.events, page.lastPosition);
        attempt = 0;
      } catch (error) {
        if (!isTransient(error)) throw error;
        attempt += 1;
        const delayMs = backoffDelay(attempt, initialMs, maxMs);
        this.options.onRetry?.(error as Error, attempt, delayMs);
        await this.pause(delayMs);
        continue;
      }
      if (page.lastPosition !== null) this.position = page.lastPosition;
      if (page.isEnd) {
        if (!this.caughtUp) {
          this.caughtUp = true;
          this.options.onCaughtUp?.();
        }
        await this.pause(pollIntervalMs);
      } else {
        this.caughtUp = false;
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}
