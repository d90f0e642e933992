import type { Money } from './money';
import type { Resolution } from './pricing/edit-types';
import type { SourceEvent } from './source';
import type { Instant } from './time';

/**
 * What the ledger's durable record recalls of a wire command, given to the decider with it (see
 * durable-record.ts).
 */
export interface Recalled {
  /** This wire event was decided before (a change or only a record): it causes nothing now. */
  readonly applied: boolean;
  /** A generation was charged or refused under this request's (or refund's) id before. */
  readonly generationIdUsed: boolean;
}

/** What the editor and billing ask of an account, one wire event each, with its time. */
interface CommandBase {
  readonly at: Instant;
  readonly source: SourceEvent;
  /** What the ledger's durable record recalls of it, when anything (see durable-record.ts). */
  readonly recalled?: Recalled;
}

export interface RequestGeneration extends CommandBase {
  readonly type: 'RequestGeneration';
  readonly generationId: string;
  readonly editType: string;
  readonly resolution?: Resolution;
  /** The agent of a pooled account (a brokerage) who asks: their cap applies. */
  readonly memberId?: string;
}

export interface AcceptEdit extends CommandBase {
  readonly type: 'AcceptEdit';
  readonly generationId: string;
}

export interface RejectEdit extends CommandBase {
  readonly type: 'RejectEdit';
  readonly generationId: string;
}

export interface GrantAllowance extends CommandBase {
  readonly type: 'GrantAllowance';
  readonly plan: string;
  readonly credits: number;
  readonly periodStart: Instant;
  readonly periodEnd: Instant;
  /** What was paid for these credits (their cost basis); absent when they were free. */
  readonly price?: Money;
}

export interface PurchaseTopUp extends CommandBase {
  readonly type: 'PurchaseTopUp';
  readonly purchaseId: string;
  readonly credits: number;
  readonly expiresAt?: Instant;
  /** What was paid for these credits (their cost basis); absent when they were free. */
  readonly price?: Money;
}

export interface AdjustCredits extends CommandBase {
  readonly type: 'AdjustCredits';
  readonly adjustmentId: string;
  /** Positive adds credits, negative removes them. */
  readonly credits: number;
  readonly reason: string;
}

/** Give back what a generation was charged (a corrupt or failed result). */
export interface RefundCharge extends CommandBase {
  readonly type: 'RefundCharge';
  readonly refundId: string;
  readonly generationId: string;
  readonly reason: string;
}

/** Remove a grant's unused credits (a payment charged back, a grant made by mistake). */
export interface VoidGrant extends CommandBase {
  readonly type: 'VoidGrant';
  readonly grantId: string;
  readonly reason: string;
}

/** Move the account to another plan of the catalog (see PlanChanged). */
export interface ChangePlan extends CommandBase {
  readonly type: 'ChangePlan';
  readonly plan: string;
  readonly effectiveAt: Instant;
}

export interface SetMemberCap extends CommandBase {
  readonly type: 'SetMemberCap';
  readonly memberId: string;
  readonly credits: number;
}

export interface SetBalanceThreshold extends CommandBase {
  readonly type: 'SetBalanceThreshold';
  readonly credits: number;
}

export interface ConfigureAutoTopUp extends CommandBase {
  readonly type: 'ConfigureAutoTopUp';
  readonly threshold: number;
  /** 0 turns automatic top-ups off. */
  readonly credits: number;
  readonly price?: Money;
}

/** Time passed with no event from the account: apply the hold lapses and grant ends now due. */
export interface ApplyDueExpiries {
  readonly type: 'ApplyDueExpiries';
  readonly at: Instant;
}

export type AccountCommand =
  | RequestGeneration
  | AcceptEdit
  | RejectEdit
  | GrantAllowance
  | PurchaseTopUp
  | AdjustCredits
  | RefundCharge
  | VoidGrant
  | ChangePlan
  | SetMemberCap
  | SetBalanceThreshold
  | ConfigureAutoTopUp
  | ApplyDueExpiries;
