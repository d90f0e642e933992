import type { Position, ReadFrom } from './positions';
import type { RecordedEvent } from './recorded-event';

/** What a catch-up subscriber to the global log asks for, and what it gets back. */
export interface CatchUpOptions {
  /** Exclusive: a saved checkpoint, or 'start'. */
  readonly from: ReadFrom;
  readonly category?: string;
  /**
   * Called with each page of events, in log order, and the position to save as the checkpoint
   * once they are handled. The next page waits for it. A transient error redelivers the page.
   */
  readonly handle: (events: RecordedEvent[], checkpoint: Position) => Promise<void>;
  /** Called each time the subscriber reaches the end of the log after being behind. */
  readonly onCaughtUp?: () => void;
  readonly onRetry?: (error: Error, attempt: number, delayMs: number) => void;
  readonly pageSize?: number;
  /** How long to wait at the end of the log before looking again. */
  readonly pollIntervalMs?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Errors worth retrying; anything else ends the subscription. */
  readonly isTransient?: (error: unknown) => boolean;
}

export interface Subscription {
  /** Settles when the subscription stops: resolves after stop(), rejects on a permanent error. */
  readonly done: Promise<void>;
  readonly isCaughtUp: boolean;
  /** The position after the last handled page. */
  readonly checkpoint: ReadFrom;
  stop(): Promise<void>;
}
