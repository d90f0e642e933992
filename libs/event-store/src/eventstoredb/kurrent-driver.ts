import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type { ExpectedRevision } from '../port/recorded-event';
import type {
  DriverAppendResult,
  DriverEvent,
  DriverEventData,
  DriverReadAll,
  DriverReadStream,
  EsdbDriver,
  StreamLimits,
} from './driver';

/**
 * The adapter's calls on `@kurrent/kurrentdb-client`, the maintained successor of
 * `@eventstore/db-client`: 6.2.1, the last of those, shares one promise bank among every batch
 * append, so an error on one stream rejects and clears the others' pending appends and a later
 * reply crashes the process (fixed in kurrent-io/KurrentDB-Client-NodeJS#523, in 1.3).
 */
export class KurrentDriver implements EsdbDriver {
  private constructor(private readonly client: KurrentDBClient) {}

  static connect(connectionString: string): KurrentDriver {
    return new KurrentDriver(KurrentDBClient.connectionString(connectionString));
  }

  async append(
    stream: string,
    events: readonly DriverEventData[],
    expected: ExpectedRevision,
  ): Promise<DriverAppendResult> {
    const result = await this.client.appendToStream(
      stream,
      events.map((event) =>
        jsonEvent({
          id: event.id,
          type: event.type,
          data: event.data as Record<string, unknown>,
          ...(event.metadata === undefined ? {} : { metadata: event.metadata }),
        }),
      ),
      { streamState: expected },
    );
    return { nextExpectedRevision: result.nextExpectedRevision, position: result.position };
  }

  async *readStream(stream: string, options: DriverReadStream): AsyncIterable<DriverEvent> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision;
    for await (const resolved of this.client.readStream(stream, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: from === 'start' ? START : from === 'end' ? END : from,
      maxCount: options.maxCount,
    }))
      if (resolved.event) yield resolved.event;
  }

  async *readAll(options: DriverReadAll): AsyncIterable<DriverEvent> {
    const read = this.client.readAll({
      direction: FORWARDS,
      fromPosition: options.fromPosition === 'start' ? START : options.fromPosition,
      maxCount: options.maxCount,
      filter: streamNameFilter({ regex: options.streamNameRegex }),
    });
    for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>)
      if (resolved.event) yield resolved.event;
  }

  async setStreamLimits(stream: string, limits: StreamLimits): Promise<void> {
    await this.client.setStreamMetadata(stream, {
      ...(limits.maxCount === undefined ? {} : { maxCount: limits.maxCount }),
      ...(limits.truncateBefore === undefined
        ? {}
        : { truncateBefore: Number(limits.truncateBefore) }),
    });
  }

  async dispose(): Promise<void> {
    await this.client.dispose();
  }
}
