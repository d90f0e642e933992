import type { GenerationDecision, GenerationRefusalReason } from '@credits/domain';
import { NameBasedUuids } from '../ids/name-based-uuid';

// Fixed forever: decision ids derived from it must stay the same across releases.
const decisionIds = new NameBasedUuids('6f1d3c52-8a0e-4c1e-9f57-2b7f0c7d9a31');
export const DECISION_SOURCE = 'image-credits/credit-projector';

export interface GenerationApprovedData {
  readonly generationId: string;
  readonly charged: number;
  readonly held: number;
  readonly available: number;
  readonly memberId?: string;
}

export interface GenerationRefusedData {
  readonly generationId: string;
  readonly required: number;
  readonly available: number;
  readonly reason: GenerationRefusalReason;
  /** The agent who asked; with `member_cap_reached`, their cap and what they had used of it. */
  readonly memberId?: string;
  readonly cap?: number;
  readonly used?: number;
}

/** A `credit-decisions` message value (CloudEvents 1.0, structured JSON). */
export type DecisionEvent = {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly time: string;
  readonly subject: string;
} & (
  | { readonly type: 'GenerationApproved'; readonly data: GenerationApprovedData }
  | { readonly type: 'GenerationRefused'; readonly data: GenerationRefusedData }
);

/** The same for every copy of one generation's decision, so a consumer can drop repeats. */
export function decisionId(accountId: string, generationId: string): string {
  return decisionIds.of(`${accountId}/${generationId}`);
}

/** The decision message of a stored charge or refusal. */
export function decisionEventOf(accountId: string, stored: GenerationDecision): DecisionEvent {
  const envelope = {
    specversion: '1.0' as const,
    id: decisionId(accountId, stored.generationId),
    source: DECISION_SOURCE,
    time: stored.at,
    subject: accountId,
  };
  return stored.type === 'GenerationCharged'
    ? {
        ...envelope,
        type: 'GenerationApproved',
        data: {
          generationId: stored.generationId,
          charged: stored.charged,
          held: stored.held,
          available: stored.availableAfter,
          ...(stored.memberId === undefined ? {} : { memberId: stored.memberId }),
        },
      }
    : {
        ...envelope,
        type: 'GenerationRefused',
        data: {
          generationId: stored.generationId,
          required: stored.required,
          available: stored.available,
          reason: stored.reason,
          ...(stored.memberId === undefined ? {} : { memberId: stored.memberId }),
          ...(stored.cap === undefined ? {} : { cap: stored.cap, used: stored.used ?? 0 }),
        },
      };
}
