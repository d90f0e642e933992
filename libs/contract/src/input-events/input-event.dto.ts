import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  Length,
  Matches,
  Max,
  Min,
  NotEquals,
  ValidateIf,
} from 'class-validator';
import { RESOLUTIONS, type Resolution } from '@credits/domain';
import { type Money } from '@credits/domain/value';
import { IsMoney } from '../money/is-money';
import { IsInstant } from '../time/is-instant';

/** Usage facts, from the editor and the AI workers: the `editor-events` topic. */
export const USAGE_EVENT_TYPES = ['GenerationRequested', 'EditAccepted', 'EditRejected'] as const;
/** Money facts, from billing only: the `billing-events` topic. */
export const BILLING_EVENT_TYPES = [
  'AllowanceGranted',
  'TopUpPurchased',
  'CreditsAdjusted',
  'ChargeRefunded',
  'GrantVoided',
  'PlanChanged',
  'MemberCapSet',
  'BalanceThresholdSet',
  'AutoTopUpConfigured',
] as const;
export const EDITOR_EVENT_TYPES = [...USAGE_EVENT_TYPES, ...BILLING_EVENT_TYPES] as const;
export type InputEventType = (typeof EDITOR_EVENT_TYPES)[number];
export type UsageEventType = (typeof USAGE_EVENT_TYPES)[number];
export type BillingEventType = (typeof BILLING_EVENT_TYPES)[number];

/**
 * Which input topic a wire event type belongs on: the one only its producers may write. A type
 * the contract does not know goes to editor-events, where it is dead-lettered as unknown_type.
 */
export type InputTopic = 'editorEvents' | 'billingEvents';
/** The input topics' names in ../shared/CONTRACT.md (a deployment may prefix them). */
export const INPUT_TOPIC_NAMES: Readonly<Record<InputTopic, string>> = {
  editorEvents: 'editor-events',
  billingEvents: 'billing-events',
};
export function inputTopicOf(type: string): InputTopic {
  return (BILLING_EVENT_TYPES as readonly string[]).includes(type)
    ? 'billingEvents'
    : 'editorEvents';
}

/** Who published an event (CloudEvents extension `publishedby`): a short token, never a secret. */
export const PUBLISHED_BY_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** An agent inside a pooled account: the id alphabet of accounts. */
export const MEMBER_ID_PATTERN = ACCOUNT_ID_PATTERN;
const MEMBER_ID_MESSAGE = 'memberId must be 1-128 characters of A-Z a-z 0-9 . _ : -';
export const FREE_EDIT_TYPES = ['color_adjustment', 'rotate', 'crop'] as const;
/**
 * A string of `min` to `max` characters, in one check with one message: text fields are most of
 * every event, and class-validator's cost grows with the decorators it runs.
 */
function IsText(min: number, max: number): PropertyDecorator {
  return Length(min, max, { message: `$property must be a string of ${min} to ${max} characters` });
}

// Far above any real grant; keeps sums exact in JavaScript numbers.
const MAX_CREDITS = 1_000_000_000;

/** The CloudEvents 1.0 envelope of ../shared/CONTRACT.md (structured JSON mode). */
export class InputEventEnvelope {
  @IsIn(['1.0'], { message: 'specversion must be "1.0"' })
  specversion!: string;

  @IsText(1, 128)
  id!: string;

  @IsText(1, 256)
  source!: string;

  @IsIn(EDITOR_EVENT_TYPES, { message: `type must be one of ${EDITOR_EVENT_TYPES.join(', ')}` })
  type!: InputEventType;

  @IsInstant()
  time!: string;

  @Matches(ACCOUNT_ID_PATTERN, {
    message: 'subject must be 1-128 characters of A-Z a-z 0-9 . _ : -',
  })
  subject!: string;

  @IsObject()
  data!: Record<string, unknown>;

  @IsOptional()
  @Matches(PUBLISHED_BY_PATTERN, {
    message: 'publishedby must be 1-64 characters of A-Z a-z 0-9 . _ : -',
  })
  publishedby?: string;
}

export class GenerationRequestedData {
  @IsText(1, 128)
  generationId!: string;

  @IsText(1, 64)
  editType!: string;

  @ValidateIf(
    (data: GenerationRequestedData) =>
      data.resolution !== undefined ||
      !(FREE_EDIT_TYPES as readonly string[]).includes(data.editType),
  )
  @IsIn(RESOLUTIONS, {
    message: 'resolution must be 1K, 2K or 4K (it may be omitted only for free edit types)',
  })
  resolution?: Resolution;

  /** The agent inside a pooled account (a brokerage) who asks: their cap applies. */
  @IsOptional()
  @Matches(MEMBER_ID_PATTERN, { message: MEMBER_ID_MESSAGE })
  memberId?: string;
}

export class EditDecisionData {
  @IsText(1, 128)
  generationId!: string;
}

export class AllowanceGrantedData {
  @IsText(1, 64)
  plan!: string;

  @IsInt()
  @Min(1)
  @Max(MAX_CREDITS)
  credits!: number;

  @IsInstant()
  periodStart!: string;

  @IsInstant()
  periodEnd!: string;

  /** What billing charged for these credits; absent: they were free (promotional). */
  @IsOptional()
  @IsMoney()
  price?: Money;
}

export class TopUpPurchasedData {
  @IsText(1, 128)
  purchaseId!: string;

  @IsInt()
  @Min(1)
  @Max(MAX_CREDITS)
  credits!: number;

  @IsOptional()
  @IsInstant()
  expiresAt?: string;

  /** What billing charged for these credits; absent: they were free (promotional). */
  @IsOptional()
  @IsMoney()
  price?: Money;
}

export class CreditsAdjustedData {
  @IsText(1, 128)
  adjustmentId!: string;

  @IsInt()
  @NotEquals(0)
  @Min(-MAX_CREDITS)
  @Max(MAX_CREDITS)
  credits!: number;

  @IsText(1, 500)
  reason!: string;
}

/** Give back what a generation was charged: a corrupt or failed result, a duplicate job. */
export class ChargeRefundedData {
  @IsText(1, 128)
  refundId!: string;

  @IsText(1, 128)
  generationId!: string;

  @IsText(1, 500)
  reason!: string;
}

/** Remove a grant's unused credits: a payment charged back, a grant made by mistake. */
export class GrantVoidedData {
  /** The `purchaseId`'s grant (`top-up:<purchaseId>`), or any grant id as the ledger names it. */
  @IsText(1, 300)
  grantId!: string;

  @IsText(1, 500)
  reason!: string;
}

/**
 * Move the account to another plan of the catalog: an upgrade is in force at `effectiveAt` with
 * the prorated difference granted, a downgrade at the end of the period.
 */
export class PlanChangedData {
  @IsText(1, 64)
  plan!: string;

  @IsInstant()
  effectiveAt!: string;
}

/** An agent's cap per allowance period; 0 blocks every generation that costs credits. */
export class MemberCapSetData {
  @Matches(MEMBER_ID_PATTERN, { message: MEMBER_ID_MESSAGE })
  memberId!: string;

  @IsInt({ message: 'credits must be an integer of 0 or more' })
  @Min(0, { message: 'credits must be an integer of 0 or more' })
  @Max(MAX_CREDITS)
  credits!: number;
}

/** Below this many available credits the account is told (BalanceLow); 0: never. */
export class BalanceThresholdSetData {
  @IsInt({ message: 'credits must be an integer of 0 or more' })
  @Min(0, { message: 'credits must be an integer of 0 or more' })
  @Max(MAX_CREDITS)
  credits!: number;
}

/** Ask billing for `credits` when available falls below `threshold`; credits 0 turns it off. */
export class AutoTopUpConfiguredData {
  @IsInt({ message: 'threshold must be an integer of 0 or more' })
  @Min(0, { message: 'threshold must be an integer of 0 or more' })
  @Max(MAX_CREDITS)
  threshold!: number;

  @IsInt({ message: 'credits must be an integer of 0 or more (0 turns automatic top-ups off)' })
  @Min(0, { message: 'credits must be an integer of 0 or more (0 turns automatic top-ups off)' })
  @Max(MAX_CREDITS)
  credits!: number;

  /** What billing will charge for each top-up. */
  @IsOptional()
  @IsMoney()
  price?: Money;
}

export const DATA_CLASSES = {
  GenerationRequested: GenerationRequestedData,
  EditAccepted: EditDecisionData,
  EditRejected: EditDecisionData,
  AllowanceGranted: AllowanceGrantedData,
  TopUpPurchased: TopUpPurchasedData,
  CreditsAdjusted: CreditsAdjustedData,
  ChargeRefunded: ChargeRefundedData,
  GrantVoided: GrantVoidedData,
  PlanChanged: PlanChangedData,
  MemberCapSet: MemberCapSetData,
  BalanceThresholdSet: BalanceThresholdSetData,
  AutoTopUpConfigured: AutoTopUpConfiguredData,
} as const;

export type InputEventData<T extends InputEventType> = InstanceType<(typeof DATA_CLASSES)[T]>;

/** A wire event that passed every check of the contract. */
export type InputEvent = {
  [T in InputEventType]: Omit<InputEventEnvelope, 'type' | 'data'> & {
    type: T;
    data: InputEventData<T>;
  };
}[InputEventType];
