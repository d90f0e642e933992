import {
  MaxAppendSizeExceededError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { EventStoreUnavailableError, type ExpectedRevision } from '@credits/event-store';
import type {
  DriverAppendResult,
  DriverEvent,
  DriverEventData,
  DriverReadAll,
  DriverReadStream,
  EsdbDriver,
  StreamLimits,
} from '../src/eventstoredb/driver';

type Call = 'append' | 'readStream' | 'readAll' | 'setStreamLimits';

interface Interruption {
  readonly call: Call;
  readonly stream: (stream: string) => boolean;
  readonly action: () => Promise<void>;
}

/** The server's default MaxAppendSize: 1 MiB. */
const MAX_APPEND_SIZE = 1_048_576;

/**
 * An EventStoreDB server as the adapter sees it through its driver, held in memory, written from
 * the server's documentation rather than from the adapter, failing with the client's errors:
 * appends at an expected state; the same ids at the same exact revision answered as done (at
 * `any`, only while they are the stream's last: the server's cache of recent ids is all it has);
 * a refusal of appends over MaxAppendSize; `$maxCount` and `$tb` applied on reads, and written
 * as `$metadata` events of `$$` streams in the log; $all read from a position (inclusive) with a
 * stream-name filter. `failNext` makes one call fail.
 */
export class FakeEsdbServer implements EsdbDriver {
  readonly calls = new Map<Call, number>();
  private readonly log: DriverEvent[] = [];
  private readonly streams = new Map<string, DriverEvent[]>();
  private readonly limits = new Map<string, StreamLimits>();
  private readonly interruptions: Interruption[] = [];
  private readonly answersLost: ((stream: string) => boolean)[] = [];
  /** Events $all reads have sent: what a reader was made to receive. */
  allEventsSent = 0;

  constructor(private readonly maxAppendSize = MAX_APPEND_SIZE) {}

  /** The next such call fails with this error, before it does anything. */
  failNext(call: Call, error: Error, stream: (stream: string) => boolean = () => true): void {
    this.beforeNext(call, stream, () => Promise.reject(error));
  }

  /** Forgets interruptions that have not come about. */
  clearInterruptions(): void {
    this.interruptions.length = 0;
  }

  /** The next append to such a stream is stored, but its answer is lost on the way back. */
  loseNextAnswer(stream: (stream: string) => boolean): void {
    this.answersLost.push(stream);
  }

  /** Before the next such call, something else happens first: another writer, say. */
  beforeNext(call: Call, stream: (stream: string) => boolean, action: () => Promise<void>): void {
    this.interruptions.push({ call, stream, action });
  }

  limitsOf(stream: string): StreamLimits | undefined {
    return this.limits.get(stream);
  }

  /** Every event a stream holds, trimmed or not: what the adapter wrote. */
  written(stream: string): readonly DriverEvent[] {
    return this.streams.get(stream) ?? [];
  }

  async append(
    stream: string,
    events: readonly DriverEventData[],
    expected: ExpectedRevision,
  ): Promise<DriverAppendResult> {
    await this.enter('append', stream);
    const size = events.reduce(
      (total, event) =>
        total +
        Buffer.byteLength(event.type) +
        Buffer.byteLength(JSON.stringify(event.data)) +
        Buffer.byteLength(JSON.stringify(event.metadata ?? {})),
      0,
    );
    if (size > this.maxAppendSize)
      throw MaxAppendSizeExceededError.fromMaxAppendSize(this.maxAppendSize);
    const held = this.streams.get(stream) ?? [];
    const repeat = this.repeatOf(held, events, expected);
    if (repeat) return repeat;
    const current = held.length === 0 ? 'no_stream' : BigInt(held.length - 1);
    const fits =
      expected === 'any' ||
      (expected === 'no_stream' && current === 'no_stream') ||
      (expected === 'stream_exists' && current !== 'no_stream') ||
      expected === current;
    if (!fits)
      throw new WrongExpectedVersionError(undefined, { streamName: stream, expected, current });
    for (const event of events) held.push(this.logged(stream, BigInt(held.length), event));
    this.streams.set(stream, held);
    const lost = this.answersLost.findIndex((matches) => matches(stream));
    if (lost >= 0) {
      this.answersLost.splice(lost, 1);
      throw new EventStoreUnavailableError('the connection dropped before the answer came');
    }
    const last = held.at(-1) as DriverEvent;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  async *readStream(stream: string, options: DriverReadStream): AsyncIterable<DriverEvent> {
    await this.enter('readStream', stream);
    const held = this.streams.get(stream);
    if (!held || held.length === 0) throw new StreamNotFoundError(undefined, stream);
    const limits = this.limits.get(stream) ?? {};
    const oldest = [
      limits.truncateBefore ?? 0n,
      limits.maxCount === undefined ? 0n : BigInt(held.length - limits.maxCount),
    ].reduce((a, b) => (a > b ? a : b));
    const visible = held.filter((event) => event.revision >= oldest);
    const from = options.fromRevision;
    const selected =
      options.direction === 'forwards'
        ? visible.filter((event) => from === 'start' || from === 'end' || event.revision >= from)
        : visible
            .filter((event) => from === 'end' || from === 'start' || event.revision <= from)
            .reverse();
    for (const event of selected.slice(0, options.maxCount)) yield event;
  }

  async *readAll(options: DriverReadAll): AsyncIterable<DriverEvent> {
    await this.enter('readAll', '');
    const pattern = new RegExp(options.streamNameRegex);
    const from = options.fromPosition === 'start' ? 0n : options.fromPosition.commit;
    let sent = 0;
    for (const event of this.log) {
      if (sent >= options.maxCount) return;
      if ((event.position?.commit ?? 0n) < from || !pattern.test(event.streamId)) continue;
      sent += 1;
      this.allEventsSent += 1;
      yield event;
    }
  }

  async setStreamLimits(stream: string, limits: StreamLimits): Promise<void> {
    await this.enter('setStreamLimits', stream);
    this.limits.set(stream, { ...limits });
    const metadata = `$$${stream}`;
    const revision = BigInt(this.log.filter((event) => event.streamId === metadata).length);
    this.logged(metadata, revision, {
      id: crypto.randomUUID(),
      type: '$metadata',
      data: {
        ...(limits.maxCount === undefined ? {} : { $maxCount: limits.maxCount }),
        ...(limits.truncateBefore === undefined ? {} : { $tb: Number(limits.truncateBefore) }),
      },
    });
  }

  async dispose(): Promise<void> {}

  private logged(stream: string, revision: bigint, event: DriverEventData): DriverEvent {
    const position = BigInt(this.log.length + 1) * 100n;
    const stored: DriverEvent = {
      streamId: stream,
      revision,
      id: event.id,
      type: event.type,
      data: JSON.parse(JSON.stringify(event.data)) as unknown,
      metadata: event.metadata === undefined ? undefined : structuredClone(event.metadata),
      created: new Date(),
      position: { commit: position, prepare: position },
    };
    this.log.push(stored);
    return stored;
  }

  /** The same events already at the revisions asked for: the server answers it as done. */
  private repeatOf(
    held: readonly DriverEvent[],
    events: readonly DriverEventData[],
    expected: ExpectedRevision,
  ): DriverAppendResult | null {
    const first =
      expected === 'no_stream'
        ? 0
        : typeof expected === 'bigint'
          ? Number(expected) + 1
          : expected === 'any'
            ? held.length - events.length
            : -1;
    if (first < 0 || events.length === 0 || held.length < first + events.length) return null;
    if (!events.every((event, index) => held[first + index]?.id === event.id)) return null;
    const last = held[first + events.length - 1] as DriverEvent;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  private async enter(call: Call, stream: string): Promise<void> {
    this.calls.set(call, (this.calls.get(call) ?? 0) + 1);
    const index = this.interruptions.findIndex(
      (interruption) => interruption.call === call && interruption.stream(stream),
    );
    if (index < 0) return;
    const [interruption] = this.interruptions.splice(index, 1);
    await (interruption as Interruption).action();
  }
}
