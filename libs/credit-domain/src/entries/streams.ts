// What a writer of the ledger needs beside the rules: the account streams' names, the durable
// record of what was applied (claims), and where a wire event came from.
export { ACCOUNT_CATEGORY, accountOfStream, accountStream } from '../ledger-streams';
export {
  claimsMade,
  claimsOfLedger,
  claimsToLookUp,
  generationClaim,
  withRecalled,
} from '../durable-record';
export { idempotencyKey, type KafkaCoordinates, type SourceEvent } from '../source';
