import type { ReadModelStatus } from '@credits/read-models';

/** What the read-models thread tells the HTTP thread. */
export type FromReadModels =
  | { readonly kind: 'started' | 'statuses'; readonly statuses: ReadModelStatus[] }
  | { readonly kind: 'failed'; readonly problems: string[] };

/** What the HTTP thread tells the read-models thread. */
export type ToReadModels = { readonly kind: 'stop' };
