// Unit tests (*.spec.ts) need nothing running; integration tests (*.int-spec.ts) run against the
// real Kafka broker and PostgreSQL that test/harness starts or finds.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.cache/', '/.run/'],
};

module.exports = {
  // Integration tests start processes and wait for brokers; a unit test never comes near this.
  testTimeout: 60_000,
  // The default report, then the one closing line CI reads (also when a test fails).
  reporters: ['default', '<rootDir>/test/harness/closing-line-reporter.js'],
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
      slowTestThreshold: 30,
    },
  ],
};
