// Shared by every workspace package: TypeScript through swc (no type-check here: `tsc` in each package's
// test script does that), sibling packages from their sources so tests need no build.
const path = require('node:path');

/** @param {string} dir the package's directory */
module.exports = (dir) => ({
  rootDir: dir,
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } },
    ],
  },
  // @google/adk's CommonJS build requires lodash-es, which is ESM only: Jest on Node 20 needs it transformed.
  transformIgnorePatterns: ['/node_modules/(?!lodash-es/)'],
  moduleNameMapper: {
    '^@agent-session/client$': path.join(__dirname, 'client', 'src', 'index.ts'),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
});
