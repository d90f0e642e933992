import { fieldForms, fieldsOf, type AccountState, type StateFieldForms } from './account-state';
import { assertInvariants } from './invariants';
import { copyOfState } from './state-record';

/**
 * The version of the serialized account state. It moves whenever the form changes (a field of
 * `ACCOUNT_STATE_FIELDS` added, removed or written otherwise); a reader meets another version as
 * an error and folds the stream instead (a serialized state is a shortcut, never the truth).
 * Format 5 writes every field as its description says, every memory of ids with its bound.
 */
export const ACCOUNT_STATE_FORMAT = 5;

/** An account state as plain JSON values: every field of `ACCOUNT_STATE_FIELDS`, and the format. */
export type SerializedAccountState = {
  readonly format: typeof ACCOUNT_STATE_FORMAT;
} & StateFieldForms;

export function serializeAccountState(state: AccountState): SerializedAccountState {
  return { format: ACCOUNT_STATE_FORMAT, ...fieldForms(state) };
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
    return assertInvariants(copyOfState(fieldsOf(form)));
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
