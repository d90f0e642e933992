import type { Grant, OpenGeneration, SettledGeneration } from './account-records';
import type { SerializedTerms } from './terms/account-terms';

/**
 * What can be observed of an account's state, whichever decider folded it: the differential test
 * holds the production state's view equal to the reference's, and the serialized form is this.
 */
export interface AccountView {
  readonly grants: readonly GrantView[];
  readonly grantsMade: number;
  readonly grantIds: readonly (readonly [string, string])[];
  readonly adjustmentIds: readonly (readonly [string, string])[];
  readonly voidedGrantIds: readonly (readonly [string, string])[];
  readonly plan: string | null;
  /** Open generations in the order their holds lapse. */
  readonly open: readonly OpenGeneration[];
  /** Remembered settled generations, oldest settled first. */
  readonly settled: readonly (readonly [string, SettledGeneration])[];
  /** Remembered wire events that left only a record, oldest first. */
  readonly traceOnlySources: readonly string[];
  readonly held: number;
  readonly terms: SerializedTerms;
  readonly eventCount: number;
}

/** Grants not yet spent, in consumption order. Ends are epoch ms; null: never. */
export interface GrantView extends Omit<Grant, 'expiresAtMs'> {
  readonly expiresAtMs: number | null;
}

/** A grant as the view shows it: a grant that never ends has no end (null, not Infinity). */
export function grantView(grant: Grant): GrantView {
  return { ...grant, expiresAtMs: Number.isFinite(grant.expiresAtMs) ? grant.expiresAtMs : null };
}
