import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export type Assignment = Record<string, number[]>;

/**
 * Partition number p of every topic goes to the same member: the members sorted by id, p to the
 * (p mod members)th. The input topics have the same count and the same keys, so one member holds
 * both halves of each account (its usage and its billing events), and is its single writer.
 */
export function coPartitionedAssignment(
  memberIds: readonly string[],
  partitionsByTopic: ReadonlyMap<string, readonly number[]>,
): Map<string, Assignment> {
  const members = [...memberIds].sort();
  const assignment = new Map<string, Assignment>(members.map((id) => [id, {}]));
  if (members.length === 0) return assignment;
  for (const [topic, partitions] of partitionsByTopic)
    for (const partition of partitions) {
      const owner = assignment.get(members[partition % members.length] as string) as Assignment;
      (owner[topic] ??= []).push(partition);
    }
  return assignment;
}

/**
 * kafkajs's assigner protocol around coPartitionedAssignment. The group picks a protocol every
 * member offers: while older members (round robin only) are still in the group during a rolling
 * deploy, round robin is used, and the store's expected revision keeps two writers of an account
 * from both appending; once all are new, assignment is co-partitioned.
 */
export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'CoPartitionedAssigner',
  version: 1,
  async assign({ members, topics }) {
    const partitionsByTopic = new Map(
      topics.map((topic) => [
        topic,
        cluster.findTopicPartitionMetadata(topic).map((metadata) => metadata.partitionId),
      ]),
    );
    const assignment = coPartitionedAssignment(
      members.map((member) => member.memberId),
      partitionsByTopic,
    );
    return [...assignment].map(([memberId, topicPartitions]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 1,
        assignment: topicPartitions,
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: 'CoPartitionedAssigner',
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.alloc(0),
      }),
    };
  },
});
