import type { ReadModelStatus } from '@credits/read-models';

/**
 * What the read-models thread tells the HTTP thread. `leading`: this replica keeps the read
 * models; if not, `statuses` say where the leader's checkpoints stand (`lastEventRecordedAt` is
 * when a checkpoint was last saved).
 */
export type FromReadModels =
  | {
      readonly kind: 'started' | 'statuses';
      readonly leading: boolean;
      readonly statuses: ReadModelStatus[];
    }
  | { readonly kind: 'failed'; readonly problems: string[] };

/** What the HTTP thread tells the read-models thread. */
export type ToReadModels = { readonly kind: 'stop' };
