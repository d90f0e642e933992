import type { OpenGeneration, SettledGeneration } from '../account-records';
import type { AccountState } from './account-state';
import { ForwardMap } from './forward-map';
import { GenerationBook } from './generation-book';
import { assertInvariants } from './invariants';
import type { Grant } from './records';
import { copyOfState } from './state-record';
import { deserializeTerms, serializeTerms, type SerializedTerms } from '../terms/account-terms';

/**
 * The version of the serialized account state. Bump it whenever the form below changes; a
 * reader meets an unknown version as an error and folds the stream instead (a serialized state
 * is a shortcut, never the truth).
 */
export const ACCOUNT_STATE_FORMAT = 4;

/**
 * An account state as JSON, version 4 (version 3 had no pending plan or allowance credits in its
 * terms; version 2 no terms at all: agents' caps, thresholds, automatic top-ups; version 1 no
 * grant prices, deferred values or voided grants). Every field of the state, in plain values: infinities
 * (a grant that never ends, no grant yet) are null; maps are lists of [key, value] oldest first,
 * with the bound they keep (null: all).
 */
export interface SerializedAccountState {
  readonly format: typeof ACCOUNT_STATE_FORMAT;
  readonly grants: readonly (Omit<Grant, 'expiresAtMs'> & { expiresAtMs: number | null })[];
  readonly grantSequence: number;
  readonly grantIds: readonly (readonly [string, string])[];
  readonly adjustmentIds: readonly (readonly [string, string])[];
  readonly voidedGrantIds: readonly (readonly [string, string])[];
  readonly plan: string | null;
  readonly generations: {
    readonly open: readonly (readonly [string, OpenGeneration])[];
    readonly settled: readonly (readonly [string, SettledGeneration])[];
    readonly bound: number | null;
  };
  readonly traceOnlySources: { readonly keys: readonly string[]; readonly bound: number | null };
  readonly totals: AccountState['totals'];
  readonly held: number;
  readonly latestUsableFromMs: number | null;
  readonly terms: SerializedTerms;
  readonly membersKept: number;
  readonly eventCount: number;
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

export function serializeAccountState(state: AccountState): SerializedAccountState {
  const { open, settled } = state.generations.toJSON();
  return {
    format: ACCOUNT_STATE_FORMAT,
    grants: state.grants.map((grant) => ({
      ...grant,
      expiresAtMs: finiteOrNull(grant.expiresAtMs),
    })),
    grantSequence: state.grantSequence,
    grantIds: [...state.grantIds],
    adjustmentIds: [...state.adjustmentIds],
    voidedGrantIds: [...state.voidedGrantIds],
    plan: state.plan,
    generations: { open, settled, bound: finiteOrNull(state.generations.bound) },
    traceOnlySources: {
      keys: [...state.traceOnlySources].map(([key]) => key),
      bound: finiteOrNull(state.traceOnlySources.bound),
    },
    totals: state.totals,
    held: state.held,
    latestUsableFromMs: finiteOrNull(state.latestUsableFromMs),
    terms: serializeTerms(state.terms),
    membersKept: state.membersKept,
    eventCount: state.eventCount,
  };
}

export class AccountStateFormatError extends Error {
  override readonly name = 'AccountStateFormatError';
}

/**
 * The state a serialized form describes. An unknown format, a form missing its parts, or a state
 * that breaks the credit invariants is an `AccountStateFormatError`.
 */
export function deserializeAccountState(form: SerializedAccountState): AccountState {
  if (form?.format !== ACCOUNT_STATE_FORMAT)
    throw new AccountStateFormatError(
      `account state format ${JSON.stringify(form?.format)}; this release reads format ${ACCOUNT_STATE_FORMAT}`,
    );
  try {
    return assertInvariants(
      copyOfState({
        grants: form.grants.map((grant) => ({
          ...grant,
          expiresAtMs: grant.expiresAtMs ?? Infinity,
        })),
        grantSequence: form.grantSequence,
        grantIds: ForwardMap.of(form.grantIds),
        adjustmentIds: ForwardMap.of(form.adjustmentIds),
        voidedGrantIds: ForwardMap.of(form.voidedGrantIds),
        plan: form.plan,
        generations: GenerationBook.of(
          { open: [...form.generations.open], settled: [...form.generations.settled] },
          form.generations.bound ?? Infinity,
        ),
        traceOnlySources: ForwardMap.of<true>(
          form.traceOnlySources.keys.map((key) => [key, true]),
          form.traceOnlySources.bound ?? Infinity,
        ),
        totals: { ...form.totals },
        held: form.held,
        latestUsableFromMs: form.latestUsableFromMs ?? -Infinity,
        terms: deserializeTerms(form.terms),
        membersKept: form.membersKept,
        eventCount: form.eventCount,
      }),
    );
  } catch (error) {
    throw new AccountStateFormatError(`not a readable account state: ${String(error)}`, {
      cause: error,
    });
  }
}

/** The serialized form as text (JSON), and back. */
export function encodeAccountState(state: AccountState): string {
  return JSON.stringify(serializeAccountState(state));
}

export function decodeAccountState(text: string): AccountState {
  let form: SerializedAccountState;
  try {
    form = JSON.parse(text) as SerializedAccountState;
  } catch (error) {
    throw new AccountStateFormatError(`not JSON: ${String(error)}`, { cause: error });
  }
  return deserializeAccountState(form);
}
