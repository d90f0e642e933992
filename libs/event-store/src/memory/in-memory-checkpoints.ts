import type { Checkpoint, CheckpointStore } from '../port/checkpoints';
import { CheckpointConflictError } from '../port/errors';
import type { Position } from '../port/positions';
import { refuseUnstorableText } from './stored-values';

interface SavedCheckpoint {
  readonly position: Position;
  readonly version: bigint;
  readonly savedAtMs: number;
}

/**
 * Checkpoints in memory, saved compare-and-set as PostgreSQL's are: the first save expects none
 * and makes version 0, each later one expects the version it read and bumps it.
 */
export class InMemoryCheckpoints implements CheckpointStore {
  private readonly saved = new Map<string, SavedCheckpoint>();

  async load(name: string): Promise<Checkpoint | null> {
    const saved = this.saved.get(name);
    if (!saved) return null;
    return { position: saved.position, version: saved.version, savedAt: new Date(saved.savedAtMs) };
  }

  async save(name: string, position: Position, expectedVersion: bigint | null): Promise<bigint> {
    refuseUnstorableText('a checkpoint name', name);
    refuseUnstorableText(`the position of checkpoint ${name}`, position);
    const current = this.saved.get(name);
    const holds =
      expectedVersion === null ? current === undefined : current?.version === expectedVersion;
    if (!holds) throw new CheckpointConflictError(name, expectedVersion);
    const version = current === undefined ? 0n : current.version + 1n;
    this.saved.set(name, { position, version, savedAtMs: Date.now() });
    return version;
  }
}
