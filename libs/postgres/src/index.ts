export * from './ensure-database';
export * from './postgres.module';
