import type { CreditRules } from '../credit-rules';
import { ACCOUNT_STATE_FORMAT } from './state-codec';

/**
 * Bump whenever the same events would fold to a different state: a change to evolve, or to what
 * a state keeps. A test pins the state of a fixed history to this number, so such a change fails
 * it until the number moves.
 */
export const EVOLVE_VERSION = 4;

/**
 * What a stored snapshot of an account state must match to be used: the serialized form, the
 * folding, and the memory bounds the state was folded with (other bounds fold to another state).
 * A snapshot of any other version is ignored, and the stream is folded from the start.
 */
export function stateVersionOf(rules: Pick<CreditRules, 'memory'>): string {
  const { settledGenerationsKept, recordOnlySourcesKept, membersKept } = rules.memory;
  return `account-state/${ACCOUNT_STATE_FORMAT} evolve/${EVOLVE_VERSION} memory/${settledGenerationsKept},${recordOnlySourcesKept},${membersKept}`;
}
