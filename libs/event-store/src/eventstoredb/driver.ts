import type { ExpectedRevision, JsonObject } from '../port/recorded-event';

/**
 * The few calls the EventStoreDB adapter makes of its server, in the port's terms; their errors
 * are the client's own, which the adapter translates in one place (`driver-errors.ts`). One
 * implementation is the real client (`kurrent-driver.ts`: it and `driver-errors.ts` are the
 * only files that import it); unit tests drive the adapter's own logic (claims, snapshots,
 * checkpoints, paging, error classes) through a fake server that throws the client's errors.
 */
export interface EsdbDriver {
  /**
   * One stream's events, atomically, at an expected state. The server answers a retry of the
   * same ids at the same exact revision as a success.
   */
  append(
    stream: string,
    events: readonly DriverEventData[],
    expected: ExpectedRevision,
  ): Promise<DriverAppendResult>;
  /** Fails, as it is iterated, with the client's StreamNotFoundError when there are no events. */
  readStream(stream: string, options: DriverReadStream): AsyncIterable<DriverEvent>;
  /** The global log forwards, from a position (inclusive), filtered on the server. */
  readAll(options: DriverReadAll): AsyncIterable<DriverEvent>;
  /** The server's trimming of a stream: keep its newest `maxCount`, or none before a revision. */
  setStreamLimits(stream: string, limits: StreamLimits): Promise<void>;
  dispose(): Promise<void>;
}

export interface DriverPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export interface DriverEventData {
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata?: JsonObject;
}

export interface DriverEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly created: Date;
  readonly position?: DriverPosition | undefined;
}

export interface DriverAppendResult {
  readonly nextExpectedRevision: bigint;
  readonly position: DriverPosition | undefined;
}

export interface DriverReadStream {
  readonly direction: 'forwards' | 'backwards';
  readonly fromRevision: bigint | 'start' | 'end';
  readonly maxCount: number;
}

export interface DriverReadAll {
  readonly fromPosition: DriverPosition | 'start';
  /** How many matching events to return at most. */
  readonly maxCount: number;
  /** A .NET regular expression stream names must match: the server skips the others. */
  readonly streamNameRegex: string;
}

export interface StreamLimits {
  readonly maxCount?: number;
  readonly truncateBefore?: bigint;
}
