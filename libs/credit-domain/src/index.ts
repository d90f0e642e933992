// The credit rules: commands in, ledger events out, decided once (rules/) over the account's
// persistent state (state/). This is their public surface: the decider, the commands and events,
// the state's queries, the price book and the state's codec. What a writer, finance or a
// statement needs beside them has an entry of its own: @credits/domain/instants, /streams,
// /terms and /value.
export { accountDecider, type AccountDecider, type DeciderOptions, type Decided } from './decider';
export { STANDARD_RULES, type CreditRules } from './credit-rules';
export type { AccountCommand } from './commands';
export type {
  Allocation,
  CreditEvent,
  CreditEventType,
  EventOf,
  GenerationDecision,
  GenerationRefusalReason,
  NotificationEvent,
} from './events';
export { isDecisionOf } from './events';
export {
  availableCredits,
  heldCredits,
  initialAccountState,
  openGeneration,
  openGenerations,
  remainingCredits,
  type AccountState,
  type OpenGeneration,
  type SettledGeneration,
} from './state/account';
export { evolve, fold } from './rules/evolve';
export { nextDueMs } from './rules/due';
export { eventsBy, stateAt } from './rules/as-of';
export { generationVerdict, type GenerationVerdict } from './rules/generation-verdict';
export { UndecidableCommandError } from './terms/plan-change';
export { assertInvariants, InvariantViolation } from './state/invariants';
export { STANDARD_PRICES, type PriceBook, type PriceBookVersion } from './pricing/price-book';
export { RESOLUTIONS, type Resolution } from './pricing/edit-types';
export {
  AccountStateFormatError,
  decodeAccountState,
  encodeAccountState,
  serializeAccountState,
} from './state/state-codec';
export { stateVersionOf } from './state/state-version';
