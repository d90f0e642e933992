export * from './deadline';
export * from './logger';
export * from './logging.module';
export * from './run-main';
export * from './startup-error';
export * from './errors';
export * from './leader-gauge';
export * from './node-runtime';
