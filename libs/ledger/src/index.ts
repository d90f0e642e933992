// An account's ledger read back from the event store: from its newest snapshot and the events
// after it, for a writer loading an account and for finance's as-of reads.
export * from './ledger-entry';
export * from './account-start';
export * from './read-accounts';
export * from './as-of';
export * from './catalog/catalog-stream';
export * from './catalog/live-catalog';
export * from './catalog/live-catalog.provider';
