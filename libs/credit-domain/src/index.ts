// The credit rules: commands in, ledger events out. The reference decider (reference/) is where
// the rules are read; the production decider (fast/) runs them on a state built for speed. Only
// the deciders, their vocabulary and the state's queries leave the library.
export * from './commands';
export * from './events';
export * from './money';
export * from './value';
export * from './revenue';
export * from './credit-rules';
export * from './pricing/edit-types';
export * from './pricing/price-book';
export * from './time';
export * from './rfc3339';
export * from './source';
export * from './durable-record';
export * from './ledger-amounts';
export * from './ledger-streams';
export * from './terms/account-terms';
export { memberCapReached, memberUsedAt, periodStartAt } from './terms/members';
export { UndecidableCommandError } from './terms/plan-change';
export {
  accountDecider,
  type AccountDecider,
  type Decider,
  type DeciderOptions,
  type Decision,
} from './decider';
export { assertInvariants, invariantViolations, InvariantViolation } from './state/invariants';
export {
  availableCredits,
  heldCredits,
  initialAccountState,
  nextHoldDue,
  openGeneration,
  openGenerations,
  remainingCredits,
  type AccountState,
  type CreditTotals,
  type Grant,
  type OpenGeneration,
  type SettledGeneration,
  type SettledStatus,
} from './state/account';
export { evolve, fold } from './rules/evolve';
export { memberOfEvent } from './state/member-of';
export { dueEvents, nextDueMs, stateAt } from './rules/due';
export {
  ACCOUNT_STATE_FORMAT,
  AccountStateFormatError,
  decodeAccountState,
  deserializeAccountState,
  encodeAccountState,
  serializeAccountState,
  type SerializedAccountState,
} from './state/state-codec';
export { EVOLVE_VERSION, stateVersionOf } from './state/state-version';
