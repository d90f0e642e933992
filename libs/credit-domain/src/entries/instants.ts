// Instants as the ledger writes them: RFC 3339, UTC, milliseconds (docs/instants.md).
export { instantOf, millisOf, type Instant } from '../time';
export { INSTANT_RULE, strictInstantMillis } from '../rfc3339';
