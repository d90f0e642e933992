import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, CRASH_POINTS, type AppConfig, type CrashPoint } from '@credits/config';
import type { EventStore } from '@credits/event-store';
import { aroundAppends } from './around-appends';

export { CRASH_POINTS, type CrashPoint };

/**
 * For fault runs only: the projector SIGKILLs itself (or SIGSTOPs itself, for a run to resume:
 * `PROJECTOR_CRASH_SIGNAL`) the n-th time it reaches a named point of a chunk's path
 * (`PROJECTOR_CRASH_AT`, `PROJECTOR_CRASH_ON_REACH`), so a run can stop it exactly between two
 * of its commits: the store's (one statement, committed as it returns, so a kill before it is a
 * kill before the commit), the decisions' publish, the offsets'. The sweeper's appends reach
 * the store points too.
 * Configuration takes the setting only where `NODE_ENV` is `test`.
 */
@Injectable()
export class CrashPoints {
  private readonly point: CrashPoint | null;
  private readonly onReach: number;
  private readonly signal: 'SIGKILL' | 'SIGSTOP';
  private reaches = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.point = config.projector.crashAt;
    this.onReach = config.projector.crashOnReach;
    this.signal = config.projector.crashSignal;
  }

  reach(point: CrashPoint): void {
    if (point !== this.point) return;
    this.reaches += 1;
    // Once: a projector paused there (SIGSTOP) and resumed goes on as it would have.
    if (this.reaches === this.onReach) process.kill(process.pid, this.signal);
  }

  /** The store itself, or, when a store point is set, one that reaches it around each append. */
  around(store: EventStore): EventStore {
    if (this.point !== 'before-store-commit' && this.point !== 'after-store-commit') return store;
    return aroundAppends(store, async (append) => {
      this.reach('before-store-commit');
      const appended = await append();
      this.reach('after-store-commit');
      return appended;
    });
  }
}
