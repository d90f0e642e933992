export * from './pipeline-status';
export * from './dead-letters';
export * from './dead-letter-pages';
export * from './dead-letter-replay';
export * from './projector-readiness';
