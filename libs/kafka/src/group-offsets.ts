import { AssignerProtocol, type Admin } from 'kafkajs';

/** What every quota-service process's decision group id starts with (one group per process). */
export function quotaServiceGroupPrefix(prefix: string): string {
  return `${prefix}quota-service-`;
}

/** The consumer group of the credit projectors, under a deployment's prefix. */
export function projectorGroupId(prefix: string): string {
  return `${prefix}credit-projector`;
}

/** One partition of a topic as its consumer group stands on it. */
export interface PartitionOffsets {
  readonly partition: number;
  /** The next offset the group will read, or null when it never committed one. */
  readonly committed: bigint | null;
  /** What the committer wrote next to the offset (the projector: when, as RFC 3339). */
  readonly metadata: string | null;
  /** The first offset the partition still keeps. */
  readonly low: bigint;
  /** The partition's end (high watermark). */
  readonly end: bigint;
  /** Messages the group has yet to read. */
  readonly lag: number;
}

/** Messages between where a group stands (or the partition's start, if it never committed) and the end. */
export function lagOf(committed: bigint | null, low: bigint, end: bigint): number {
  const from = committed === null || committed < low ? low : committed;
  return Math.max(0, Number(end - from));
}

/** The group's committed offsets and the topic's ends, per partition, as the broker has them. */
export async function readGroupOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<PartitionOffsets[]> {
  // The topic's offsets first, then the group's: on an admin client that has not yet looked the
  // topic up, kafkajs 2.2.4 answers the group's first in about 330 ms (a retry's backoff), and
  // the pair in this order in about 15 ms.
  const ends = await admin.fetchTopicOffsets(topic);
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const byPartition = new Map(
    (committed.find((entry) => entry.topic === topic)?.partitions ?? []).map((entry) => [
      entry.partition,
      entry,
    ]),
  );
  return ends
    .map((end) => {
      const entry = byPartition.get(end.partition);
      const offset = entry && BigInt(entry.offset) >= 0n ? BigInt(entry.offset) : null;
      const low = BigInt(end.low);
      const high = BigInt(end.high);
      return {
        partition: end.partition,
        committed: offset,
        metadata: entry?.metadata || null,
        low,
        end: high,
        lag: lagOf(offset, low, high),
      };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** Which member of the group owns each partition of `topic`, by its client id and host. */
export async function partitionOwners(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, string>> {
  const { groups } = await admin.describeGroups([groupId]);
  const owners = new Map<number, string>();
  for (const member of groups[0]?.members ?? []) {
    const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    for (const partition of assignment?.assignment[topic] ?? [])
      owners.set(partition, `${member.clientId}@${member.clientHost.replace(/^\//, '')}`);
  }
  return owners;
}
