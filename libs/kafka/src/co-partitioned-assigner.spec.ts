import fc from 'fast-check';
import { coPartitionedAssignment } from './co-partitioned-assigner';

describe('co-partitioned assignment', () => {
  it('given two topics of the same count, then each partition number of both goes to one member, every partition exactly once, spread evenly', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 1, max: 24 }),
        (memberIds, count) => {
          const partitions = Array.from({ length: count }, (_, p) => p);
          const assignment = coPartitionedAssignment(
            memberIds,
            new Map([
              ['editor-events', partitions],
              ['billing-events', partitions],
            ]),
          );
          const ownerOf = (topic: string, partition: number) =>
            [...assignment].filter(([, topics]) => topics[topic]?.includes(partition));
          for (const partition of partitions) {
            const usage = ownerOf('editor-events', partition);
            const billing = ownerOf('billing-events', partition);
            expect(usage).toHaveLength(1);
            expect(billing).toHaveLength(1);
            expect(usage[0]?.[0]).toBe(billing[0]?.[0]);
          }
          const sizes = [...assignment.values()].map((t) => t['editor-events']?.length ?? 0);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('given the same members in another order, then the assignment is the same', () => {
    const topics = new Map([['editor-events', [0, 1, 2, 3, 4]]]);
    expect(coPartitionedAssignment(['b', 'a', 'c'], topics)).toEqual(
      coPartitionedAssignment(['c', 'b', 'a'], topics),
    );
  });
});
