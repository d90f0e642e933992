export * from './ensure-database';
export * from './postgres.module';
export * from './open-pool';
export * from './leader-lock';
export * from './unavailable';
