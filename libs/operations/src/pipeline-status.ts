import type { Admin } from 'kafkajs';
import {
  inputTopicNames,
  partitionOwners,
  projectorGroupId,
  readGroupOffsets,
  topicNames,
} from '@credits/kafka';
import type { ReadModelStanding } from '@credits/read-models';

/** One partition of an input topic as the projector's group stands on it. */
export interface PartitionStatus {
  readonly topic: string;
  readonly partition: number;
  /** The group member that owns it (client id @ host), or null when nobody does. */
  readonly owner: string | null;
  readonly committed: string | null;
  readonly end: string;
  readonly lag: number;
  /** When the projector last committed on it (the commit's metadata), RFC 3339. */
  readonly lastProgress: string | null;
  readonly stalled: boolean;
}

export interface ReadModelStatusRow {
  readonly readModel: string;
  readonly version: number;
  readonly state: 'serving' | 'rebuilding';
  readonly checkpoint: string;
  readonly eventsBehind: number;
  readonly lastProgress: string | null;
  readonly stalled: boolean;
}

/** The pipeline as `credits status` and `GET /ops/status` show it. */
export interface PipelineStatus {
  readonly stalled: boolean;
  readonly partitions: PartitionStatus[];
  readonly readModels: ReadModelStatusRow[];
  /** Why the read models could not be looked at (the store did not answer), if so. */
  readonly readModelsUnknown: string | null;
}

export interface PipelineSources {
  /** A connected admin client. */
  readonly admin: Admin;
  readonly topicPrefix: string;
  /** Lag with no progress for longer than this is a stall (PROJECTOR_STALL_AFTER_MS). */
  readonly stallAfterMs: number;
  readonly readModelStandings: () => Promise<ReadModelStanding[]>;
}

/**
 * Something that looks stalled is looked at again after this long, and called stalled only if it
 * has not moved meanwhile: a partition idle for an hour that has just been given a message looks
 * stalled for the moment before the projector commits it.
 */
export const STALL_RECHECK_MS = 2_000;

/** A commit's metadata as the projector writes it (when), or null for anything else. */
function committedAt(metadata: string | null): Date | null {
  const ms = metadata === null ? Number.NaN : Date.parse(metadata);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** Lag, and no progress (a projector commit, a read-model save) for longer than `stallAfterMs`. */
function isStalled(behind: number, lastProgress: Date | null, now: number, stallAfterMs: number) {
  return behind > 0 && (lastProgress === null || now - lastProgress.getTime() > stallAfterMs);
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

const looksStalled = (status: Omit<PipelineStatus, 'stalled'>) =>
  [...status.partitions, ...status.readModels].some((row) => row.stalled);

async function topicRows(sources: PipelineSources, topic: string): Promise<PartitionStatus[]> {
  const groupId = projectorGroupId(sources.topicPrefix);
  // One after the other: asked together, kafkajs 2.2.4 answers the group's offsets only after a
  // retry's backoff (about 330 ms); in turn both take about 20 ms.
  const offsets = await readGroupOffsets(sources.admin, groupId, topic);
  const owners = await partitionOwners(sources.admin, groupId, topic);
  const now = Date.now();
  return offsets.map((partition) => {
    const lastProgress = committedAt(partition.metadata);
    const owner = owners.get(partition.partition) ?? null;
    return {
      topic,
      partition: partition.partition,
      owner,
      committed: partition.committed?.toString() ?? null,
      end: partition.end.toString(),
      lag: partition.lag,
      lastProgress: iso(lastProgress),
      stalled:
        (owner === null && partition.lag > 0) ||
        isStalled(partition.lag, lastProgress, now, sources.stallAfterMs),
    };
  });
}

async function sample(sources: PipelineSources): Promise<Omit<PipelineStatus, 'stalled'>> {
  const partitions: PartitionStatus[] = [];
  for (const topic of inputTopicNames(topicNames(sources.topicPrefix)))
    partitions.push(...(await topicRows(sources, topic)));
  let standings: ReadModelStanding[];
  try {
    standings = await sources.readModelStandings();
  } catch (error) {
    // The partitions still say what they can: a store that fails is often why they stall.
    return { partitions, readModels: [], readModelsUnknown: (error as Error).message };
  }
  const now = Date.now();
  const readModels = standings.map((standing) => ({
    readModel: standing.readModel,
    version: standing.version,
    state: standing.state,
    checkpoint: standing.checkpoint,
    eventsBehind: standing.eventsBehind,
    lastProgress: iso(standing.savedAt),
    stalled: isStalled(standing.eventsBehind, standing.savedAt, now, sources.stallAfterMs),
  }));
  return { partitions, readModels, readModelsUnknown: null };
}

/** Stalled in both samples, and not moved between them. */
function stillStalled<Row extends { readonly stalled: boolean }>(
  rows: readonly Row[],
  earlier: readonly Row[],
  keyOf: (row: Row) => string,
  progressOf: (row: Row) => unknown,
): Row[] {
  return rows.map((row) => {
    const before = earlier.find((candidate) => keyOf(candidate) === keyOf(row));
    const moved = before !== undefined && progressOf(before) !== progressOf(row);
    return { ...row, stalled: row.stalled && before?.stalled === true && !moved };
  });
}

/**
 * Per input-topic partition: its owner, offsets, lag and last progress; per read model version:
 * its checkpoint and how far behind it is. A stall is reported only when a second look,
 * STALL_RECHECK_MS later, finds it not moved (the first look alone costs no wait).
 */
export async function pipelineStatus(sources: PipelineSources): Promise<PipelineStatus> {
  const first = await sample(sources);
  if (!looksStalled(first)) return { stalled: false, ...first };
  await new Promise((resolve) => setTimeout(resolve, STALL_RECHECK_MS));
  const second = await sample(sources);
  const confirmed = {
    readModelsUnknown: second.readModelsUnknown,
    partitions: stillStalled(
      second.partitions,
      first.partitions,
      (row) => `${row.topic}/${row.partition}`,
      (row) => row.committed,
    ),
    readModels: stillStalled(
      second.readModels,
      first.readModels,
      (row) => `${row.readModel}@${row.version}`,
      (row) => row.checkpoint,
    ),
  };
  return { stalled: looksStalled(confirmed), ...confirmed };
}
