import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { DEAD_LETTER_PAGE, REPLAY_TARGETS } from '@credits/operations';

export class PartitionStatusView {
  topic!: string;
  partition!: number;
  /** The projector instance that owns it (client id @ host); null when nobody does. */
  owner!: string | null;
  /** The next offset the projector will read; null before its first commit. */
  committed!: string | null;
  end!: string;
  /** Messages not yet decided. */
  lag!: number;
  /** When the projector last committed on it, RFC 3339 (UTC). */
  lastProgress!: string | null;
  /** Lag and no progress for longer than PROJECTOR_STALL_AFTER_MS, seen twice; or lag and no owner. */
  stalled!: boolean;
}

export class ReadModelStatusView {
  readModel!: string;
  version!: number;
  /** `serving` answers reads; `rebuilding` is being filled to replace it. */
  state!: 'serving' | 'rebuilding';
  /** Its checkpoint in the event store's order; `none` before its first. */
  checkpoint!: string;
  /** Ledger events after the checkpoint, counted up to 100,000. */
  eventsBehind!: number;
  lastProgress!: string | null;
  stalled!: boolean;
}

export class OpsStatusResponse {
  /** Anything stalled: the same verdict as `credits status` (exit code 3). */
  stalled!: boolean;
  partitions!: PartitionStatusView[];
  readModels!: ReadModelStatusView[];
  /** Why the read models could not be looked at, when the store did not answer. */
  readModelsUnknown!: string | null;
}

export class DeadLettersQuery {
  /** Dead letters per page, newest first: 100 by default, at most 1,000. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(DEAD_LETTER_PAGE.maxLimit)
  limit?: number;

  /** The page after this one: the previous answer's `next`, unchanged. */
  @IsOptional()
  @Length(1, 2_000)
  cursor?: string;
}

export class DeadLetterView {
  /** Its place on the dead-letter topic, PARTITION:OFFSET: what replay takes. */
  at!: string;
  /** Why it was refused (invalid_json, invalid_event, unknown_type, key_mismatch, …). */
  reason!: string;
  /** Where the refused message was read: topic/partition@offset. */
  from!: string;
  key!: string | null;
  /** The first line of the reason's details. */
  details!: string;
  deadLetteredAt!: string | null;
  /** Dead letters of the same message on this page (a redelivery writes it again). */
  copies!: number;
}

export class DeadLettersResponse {
  letters!: DeadLetterView[];
  /** This page's letters by reason. */
  byReason!: Record<string, number>;
  /** Dead letters the topic keeps, copies included. */
  kept!: number;
  /** Pass as `cursor` for the next (older) page; null on the last. */
  next!: string | null;
}

export const MAX_REPLAYED = 100;

export class ReplayRequest {
  /** The dead letters to put back, by their `at` (PARTITION:OFFSET); 1 to 100 of them. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REPLAYED)
  @ArrayUnique()
  @Matches(/^\d{1,9}:\d{1,19}$/, {
    each: true,
    message: 'each must be PARTITION:OFFSET, as the list gives it (0:17, say)',
  })
  at!: string[];

  /** The input topic to put them on instead of the one they came from (for `wrong_topic`). */
  @IsOptional()
  @IsIn(Object.keys(REPLAY_TARGETS))
  to?: keyof typeof REPLAY_TARGETS;
}

export class ReplayedView {
  topic!: string;
  at!: string[];
}

export class ReplayResponse {
  replayed!: ReplayedView[];
}
