import type { AppendResult, EventStore, StreamAppend } from '@credits/event-store';

/** The store with each `appendToStreams` run through `around`: how a fault wraps the commit. */
export function aroundAppends(
  store: EventStore,
  around: (append: () => Promise<AppendResult[]>) => Promise<AppendResult[]>,
): EventStore {
  return new Proxy(store, {
    get: (target, property, receiver) => {
      if (property === 'appendToStreams')
        return (appends: readonly StreamAppend[]) => around(() => target.appendToStreams(appends));
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
