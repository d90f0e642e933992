/**
 * What the credit model is told about the product, as plain numbers: the product's own prices
 * are written in the model (credit-model.ts), never read from the domain's price book, so a
 * price changed in the domain alone is caught.
 */
export interface ModelPlan {
  /** Credits per allowance period: what an upgrade prorates. */
  readonly allowanceCredits: number;
  /** The plan charges only the generate part at generation time. */
  readonly reserveGenerateOnly?: boolean;
  readonly balanceThresholdCredits?: number;
  readonly rollover?: { fraction: number; capCredits: number; periods?: number };
}

export interface ModelTerms {
  readonly holdTimeoutMs: number;
  readonly refundGrantMs: number;
  readonly maxOpenGenerations: number;
  readonly autoTopUpTimeoutMs: number;
  /** How many settled generations the account remembers by id (an accept of an older one is unknown). */
  readonly settledGenerationsKept: number;
  /** How many agents may have a cap. */
  readonly membersKept: number;
  /** The catalog's plans (one catalog version: the model does not re-price by time). */
  readonly plans: Readonly<Record<string, ModelPlan>>;
  /** Plans outside the catalog that charge only the generate part. */
  readonly generateOnlyPlans: readonly string[];
}

export const STANDARD_MODEL_TERMS: ModelTerms = {
  holdTimeoutMs: 24 * 60 * 60 * 1000,
  refundGrantMs: 30 * 24 * 60 * 60 * 1000,
  maxOpenGenerations: 10_000,
  autoTopUpTimeoutMs: 30 * 60 * 1000,
  settledGenerationsKept: 1_000,
  membersKept: 1_000,
  plans: {},
  generateOnlyPlans: [],
};
