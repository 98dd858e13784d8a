// Shared by every workspace package: TypeScript through swc (no type-check here: `tsc` in each package's
// test script does that), sibling packages from their sources so tests need no build.
const path = require('node:path');

/** @param {string} dir the package's directory */
module.exports = (dir) => ({
  rootDir: dir,
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } },
    ],
  },
  moduleNameMapper: {
    '^@agent-session/client$': path.join(__dirname, 'client', 'src', 'index.ts'),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
});
