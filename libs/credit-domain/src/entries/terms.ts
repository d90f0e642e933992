// An account's terms (agents' caps and use, thresholds, automatic top-ups, a pending plan) and
// the catalog's plans: what a statement or a balance shows beside the credits.
export {
  deserializeTerms,
  NO_TERMS,
  planInForce,
  serializeTerms,
  type AccountTerms,
  type SerializedTerms,
} from '../terms/account-terms';
export { memberUsedAt, periodStartAt } from '../terms/members';
export { planAt, versionAt } from '../pricing/price-book';
export { memberOfEvent } from '../state/member-of';
