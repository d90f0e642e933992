import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { PostgresEventStore, type Position, type RecordedEvent } from '@credits/event-store';
import { events, freshCategory } from './conformance';

/**
 * The global log must never skip an event whose transaction commits after a later one: a reader
 * that moved past it would never come back. These tests hold transactions open on purpose.
 */
describe('PostgreSQL global order behind the xmin fence', () => {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  let store: PostgresEventStore;
  let unfenced: PostgresEventStore;

  beforeAll(async () => {
    store = await PostgresEventStore.open({ pool });
    unfenced = await PostgresEventStore.open({ pool, globalReadFence: false });
  });
  afterAll(async () => {
    await pool.end();
  });

  /**
   * Appends inside a transaction that commits once `commit` settles (after `appended` is called),
   * so a test decides what happens while it is open.
   */
  async function appendCommittingWhen(
    stream: string,
    count: number,
    commit: Promise<unknown>,
    appended?: () => void,
  ): Promise<string[]> {
    const client = await pool.connect();
    const batch = events(count);
    try {
      await client.query('BEGIN');
      await store.appendWithin(client, [{ stream, events: batch, expectedRevision: 'any' }]);
      appended?.();
      await commit;
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    return batch.map((event) => event.id);
  }

  /** Everything readable now, page by page, and the position the read got to. */
  async function readFrom(
    reader: PostgresEventStore,
    category: string,
    from: 'start' | Position,
  ): Promise<{ events: RecordedEvent[]; position: 'start' | Position }> {
    const events: RecordedEvent[] = [];
    let position = from;
    for (;;) {
      const page = await reader.readAll({ from: position, maxCount: 1_000, category });
      events.push(...page.events);
      position = page.lastPosition ?? position;
      if (page.isEnd) return { events, position };
    }
  }

  it.each([
    ['with the fence, the late commit is read after it commits', true],
    ['without the fence (the control), a reader skips the late commit for good', false],
  ])('given an early transaction that commits after a later one, %s', async (_label, fenced) => {
    const reader = fenced ? store : unfenced;
    const category = freshCategory();
    let earlyAppended!: () => void;
    const earlyHasAppended = new Promise<void>((resolve) => (earlyAppended = resolve));
    let readerHasLooked!: () => void;
    const commitEarly = new Promise<void>((resolve) => (readerHasLooked = resolve));
    const early = appendCommittingWhen(`${category}-early`, 1, commitEarly, earlyAppended);
    await earlyHasAppended;
    const [late] = events(1);
    await store.appendToStream(`${category}-late`, [late!], { expectedRevision: 'no_stream' });

    // The reader looks while the early transaction is still open (it commits only once the
    // reader has looked), and keeps its position.
    const whileOpen = await readFrom(reader, category, 'start');
    readerHasLooked();
    const earlyIds = await early;
    const afterCommit = await readFrom(reader, category, whileOpen.position);
    const delivered = [...whileOpen.events, ...afterCommit.events].map((event) => event.id);

    if (fenced) {
      expect(whileOpen.events).toEqual([]);
      expect(delivered.sort()).toEqual([...earlyIds, late!.id].sort());
    } else {
      expect(delivered).toEqual([late!.id]);
    }
  });

  it('given concurrent writers with randomly delayed commits and a catch-up reader, then the reader gets every committed event exactly once, each stream in order', async () => {
    const category = freshCategory();
    const delivered: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({
      from: 'start',
      category,
      pageSize: 7,
      pollIntervalMs: 5,
      handle: async (page) => {
        delivered.push(...page);
      },
    });
    const writers = Array.from({ length: 8 }, async (_, writer) => {
      const ids: string[] = [];
      for (let round = 0; round < 6; round += 1) {
        // Random commit delays make the interleavings; the outcome must not depend on them.
        const hold = sleep(Math.floor(Math.random() * 60));
        ids.push(...(await appendCommittingWhen(`${category}-w${writer}`, 1 + (round % 3), hold)));
      }
      return ids;
    });
    const committed = (await Promise.all(writers)).flat();
    const deadline = Date.now() + 15_000;
    while (delivered.length < committed.length && Date.now() < deadline) await sleep(20);
    await sleep(100);
    await subscription.stop();

    const ids = delivered.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...committed].sort());
    const revisions = new Map<string, bigint[]>();
    for (const event of delivered)
      revisions.set(event.streamName, [...(revisions.get(event.streamName) ?? []), event.revision]);
    for (const list of revisions.values())
      expect(list).toEqual(list.map((_, index) => BigInt(index)));
  });

  it('given transaction ids of different lengths (9 and 10), then the global order is numeric: 9 first, and nothing skipped', async () => {
    // Written with chosen transaction ids, older than any real one: as text "10" < "9".
    const category = freshCategory();
    const stream = `${category}-digits`;
    await pool.query(
      `INSERT INTO es_events (transaction_id, stream_name, stream_revision, event_id, event_type, data)
       VALUES ('9'::xid8, $1, 0, gen_random_uuid(), 'Counted', '{}'),
              ('10'::xid8, $1, 1, gen_random_uuid(), 'Counted', '{}')`,
      [stream],
    );
    const read: RecordedEvent[] = [];
    let from: 'start' | Position = 'start';
    for (let page = 0; page < 2; page += 1) {
      const next = await store.readAll({ from, maxCount: 1, category });
      read.push(...next.events);
      from = next.lastPosition ?? from;
    }
    expect(read.map((event) => event.revision)).toEqual([0n, 1n]);
  });
});
