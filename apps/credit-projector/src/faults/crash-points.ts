import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, CRASH_POINTS, type AppConfig, type CrashPoint } from '@credits/config';
import type { EventStore, StreamAppend } from '@credits/event-store';

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
  aroundAppends(store: EventStore): EventStore {
    if (this.point !== 'before-store-commit' && this.point !== 'after-store-commit') return store;
    return new Proxy(store, {
      get: (target, property, receiver) => {
        if (property === 'appendToStreams')
          return async (appends: readonly StreamAppend[]) => {
            this.reach('before-store-commit');
            const appended = await target.appendToStreams(appends);
            this.reach('after-store-commit');
            return appended;
          };
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}
