import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, CRASH_POINTS, type AppConfig, type CrashPoint } from '@credits/config';
import type { EventStore } from '@credits/event-store';
import { aroundAppends } from './around-appends';

export { CRASH_POINTS, type CrashPoint };

/**
 * For fault runs only: the projector SIGKILLs itself the n-th time a chunk reaches a named
 * point of its path (`PROJECTOR_CRASH_AT`, `PROJECTOR_CRASH_ON_REACH`), so a run can stop it
 * exactly between two of its commits: the store's, the decisions' publish, the offsets'.
 * Configuration refuses the setting where `NODE_ENV` is production.
 */
@Injectable()
export class CrashPoints {
  private readonly point: CrashPoint | null;
  private readonly onReach: number;
  private reaches = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.point = config.projector.crashAt;
    this.onReach = config.projector.crashOnReach;
  }

  reach(point: CrashPoint): void {
    if (point !== this.point) return;
    this.reaches += 1;
    if (this.reaches >= this.onReach) process.kill(process.pid, 'SIGKILL');
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
