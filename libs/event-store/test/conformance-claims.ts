import {
  ClaimConflictError,
  InvalidAppendError,
  WrongExpectedRevisionError,
  type EventData,
  type EventStore,
} from '@credits/event-store';
import { events } from './test-events';

const claiming = (batch: EventData[], claims: (string[] | undefined)[]): EventData[] =>
  batch.map((event, index) => {
    const made = claims[index];
    return made ? { ...event, claims: made } : event;
  });

/**
 * What every adapter guarantees of claims: an append's claims are held exactly when its events
 * are stored, at any age, per stream; a failed append holds none; a retry is harmless.
 */
export function describeClaims(storeOf: () => EventStore, stream: (name: string) => string): void {
  describe('claims', () => {
    it('given an append whose events claim keys, when they are looked up, then each is held at the revision of its event, and an unmade one is not', async () => {
      const store = storeOf();
      await store.appendToStream(stream('a'), events(2), { expectedRevision: 'no_stream' });
      await store.appendToStream(
        stream('a'),
        claiming(events(3), [['source x 1'], undefined, ['source x 2', 'generation g']]),
        { expectedRevision: 1n },
      );
      const found = await store.findClaims([
        { stream: stream('a'), claims: ['source x 1', 'source x 2', 'generation g', 'unmade'] },
      ]);
      expect(found.get(stream('a'))).toEqual(
        new Map([
          ['source x 1', 2n],
          ['source x 2', 4n],
          ['generation g', 4n],
        ]),
      );
    });

    it('given a stream stored without claims, when its claims are recorded, then each is held by the event it names, one held already stays, and one naming no stored event is not recorded', async () => {
      const store = storeOf();
      const stored = events(4);
      await store.appendToStream(stream('a'), stored.slice(0, 3), {
        expectedRevision: 'no_stream',
      });
      await store.appendToStream(stream('a'), claiming(stored.slice(3), [['held']]), {
        expectedRevision: 2n,
      });
      const ids = stored.map((event) => event.id);
      const recorded = await store.recordClaims(stream('a'), [
        { claim: 'first', revision: 0n, eventId: ids[0] as string },
        { claim: 'second', revision: 2n, eventId: ids[2] as string },
        { claim: 'held', revision: 1n, eventId: ids[1] as string },
        { claim: 'wrong event', revision: 1n, eventId: ids[0] as string },
        { claim: 'no event', revision: 9n, eventId: ids[0] as string },
      ]);
      expect(recorded).toBe(2);
      const found = await store.findClaims([
        { stream: stream('a'), claims: ['first', 'second', 'held', 'wrong event', 'no event'] },
      ]);
      expect(found.get(stream('a'))).toEqual(
        new Map([
          ['first', 0n],
          ['second', 2n],
          ['held', 3n],
        ]),
      );
      expect(
        await store.recordClaims(stream('a'), [
          { claim: 'first', revision: 0n, eventId: ids[0] as string },
        ]),
      ).toBe(0);
    });

    it('given a claim in one stream, when the same key is looked up in another, then it is not held there', async () => {
      const store = storeOf();
      await store.appendToStream(stream('a'), claiming(events(1), [['k']]), {
        expectedRevision: 'no_stream',
      });
      const found = await store.findClaims([
        { stream: stream('a'), claims: ['k'] },
        { stream: stream('b'), claims: ['k'] },
      ]);
      expect(found.get(stream('a'))?.get('k')).toBe(0n);
      expect(found.get(stream('b'))).toBeUndefined();
    });

    it('given an append that conflicts, then none of its claims is held, and a later append may make them', async () => {
      const store = storeOf();
      await store.appendToStream(stream('a'), events(2), { expectedRevision: 'no_stream' });
      await expect(
        store.appendToStream(stream('a'), claiming(events(1), [['k']]), { expectedRevision: 0n }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.findClaims([{ stream: stream('a'), claims: ['k'] }])).toEqual(new Map());
      await store.appendToStream(stream('a'), claiming(events(1), [['k']]), {
        expectedRevision: 1n,
      });
      const found = await store.findClaims([{ stream: stream('a'), claims: ['k'] }]);
      expect(found.get(stream('a'))?.get('k')).toBe(2n);
    });

    it('given an append with claims that succeeded, when it is retried with the same ids, then it succeeds and the claims stay where they were', async () => {
      const store = storeOf();
      const batch = claiming(events(2), [undefined, ['k']]);
      await store.appendToStream(stream('a'), batch, { expectedRevision: 'no_stream' });
      await store.appendToStream(stream('a'), events(1), { expectedRevision: 1n });
      await store.appendToStream(stream('a'), batch, { expectedRevision: 'no_stream' });
      const found = await store.findClaims([{ stream: stream('a'), claims: ['k'] }]);
      expect(found.get(stream('a'))?.get('k')).toBe(1n);
    });

    it('given hundreds of failed attempts to make a claim before and after the one that holds it, then it is found, and an append making it again is refused', async () => {
      const store = storeOf();
      const attempts = 120;
      await store.appendToStream(stream('a'), events(1), { expectedRevision: 'no_stream' });
      const refused = async (expectedRevision: 'no_stream' | bigint) => {
        const attempt = store.appendToStream(stream('a'), claiming(events(1), [['k']]), {
          expectedRevision,
        });
        await expect(attempt).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      };
      for (let index = 0; index < attempts; index += 1) await refused('no_stream');
      await store.appendToStream(stream('a'), claiming(events(1), [['k']]), {
        expectedRevision: 0n,
      });
      for (let index = 0; index < attempts; index += 1) await refused(0n);
      const found = await store.findClaims([{ stream: stream('a'), claims: ['k'] }]);
      expect(found.get(stream('a'))?.get('k')).toBe(1n);
      await expect(
        store.appendToStream(stream('a'), claiming(events(1), [['k']]), { expectedRevision: 1n }),
      ).rejects.toBeInstanceOf(ClaimConflictError);
      expect(await store.readStream(stream('a'))).toHaveLength(2);
    });

    it('given writers racing to make one claim at successive revisions, then exactly one event holds it', async () => {
      const store = storeOf();
      await store.appendToStream(stream('a'), events(1), { expectedRevision: 'no_stream' });
      for (let round = 0; round < 10; round += 1) {
        const [last] = await store.readStream(stream('a'), { direction: 'backwards', maxCount: 1 });
        const from = last?.revision ?? 0n;
        const claim = `raced ${round}`;
        const racing = Array.from({ length: 4 }, (_, offset) =>
          store.appendToStream(stream('a'), claiming(events(1), [[claim]]), {
            expectedRevision: from + BigInt(offset),
          }),
        );
        const settled = await Promise.allSettled(racing);
        expect(settled.filter(({ status }) => status === 'fulfilled')).toHaveLength(1);
        const holders = (await store.readStream(stream('a'))).filter(
          (event) => event.revision > from,
        );
        expect(holders).toHaveLength(1);
        const found = await store.findClaims([{ stream: stream('a'), claims: [claim] }]);
        expect(found.get(stream('a'))?.get(claim)).toBe(holders[0]?.revision);
      }
    });

    it('given many streams appended in one call, then each stream holds its own claims', async () => {
      const store = storeOf();
      await store.appendToStreams([
        {
          stream: stream('a'),
          expectedRevision: 'no_stream',
          events: claiming(events(1), [['k']]),
        },
        {
          stream: stream('b'),
          expectedRevision: 'no_stream',
          events: claiming(events(2), [undefined, ['k']]),
        },
      ]);
      const found = await store.findClaims([
        { stream: stream('a'), claims: ['k'] },
        { stream: stream('b'), claims: ['k'] },
      ]);
      expect(found.get(stream('a'))?.get('k')).toBe(0n);
      expect(found.get(stream('b'))?.get('k')).toBe(1n);
    });

    it('given a claim made twice in one append, an empty claim, one with a lone surrogate, or claims at revision any, then the port refuses the append', async () => {
      const store = storeOf();
      for (const [batch, expectedRevision] of [
        [claiming(events(2), [['k'], ['k']]), 'no_stream'],
        [claiming(events(1), [['']]), 'no_stream'],
        [claiming(events(1), [['half \ud800 of a pair']]), 'no_stream'],
        [claiming(events(1), [['k']]), 'any'],
      ] as const)
        await expect(
          store.appendToStream(stream('a'), batch, { expectedRevision }),
        ).rejects.toBeInstanceOf(InvalidAppendError);
      expect(await store.findClaims([{ stream: stream('a'), claims: ['k'] }])).toEqual(new Map());
    });

    it('given a claim held, when an append at the right revision makes it again, then the store refuses it and writes nothing', async () => {
      const store = storeOf();
      await store.appendToStream(stream('a'), claiming(events(1), [['k']]), {
        expectedRevision: 'no_stream',
      });
      const again = store.appendToStream(stream('a'), claiming(events(1), [['k']]), {
        expectedRevision: 0n,
      });
      await expect(again).rejects.toBeInstanceOf(ClaimConflictError);
      expect(await store.readStream(stream('a'))).toHaveLength(1);
      const found = await store.findClaims([{ stream: stream('a'), claims: ['k'] }]);
      expect(found.get(stream('a'))?.get('k')).toBe(0n);
    });
  });
}
