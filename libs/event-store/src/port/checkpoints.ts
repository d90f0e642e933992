import type { Position } from './positions';

export interface Checkpoint {
  readonly position: Position;
  /** Bumped by every save: the compare-and-set guard of the next one. */
  readonly version: bigint;
  /** When it was last saved: how an operator tells a stalled subscriber from an idle one. */
  readonly savedAt: Date;
}

/** Where a subscriber keeps how far it got, saved compare-and-set so two writers can't both win. */
export interface CheckpointStore {
  load(name: string): Promise<Checkpoint | null>;
  /** `expectedVersion` null: the checkpoint must not exist yet. Returns the new version. */
  save(name: string, position: Position, expectedVersion: bigint | null): Promise<bigint>;
}
