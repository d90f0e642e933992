export * from './port/event-store';
export * from './port/errors';
export * from './port/positions';
export * from './port/checkpoints';
export * from './subscription/catch-up-subscription';
export * from './postgres/postgres-event-store';
export * from './postgres/postgres-checkpoints';
export * from './eventstoredb/eventstoredb-event-store';
