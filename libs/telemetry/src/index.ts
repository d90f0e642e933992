export * from './start-telemetry';
export * from './spans';
