// Lint gate: `npm run lint` (eslint + prettier --check), part of `npm test`. Formatting is Prettier's job alone.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettierConfig from 'eslint-config-prettier/flat';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { boundaryZones } from './eslint.boundaries.mjs';

// Relative imports say `./x.js` for `./x.ts` (nodenext). A resolver that cannot find a file makes
// no-restricted-paths skip that import silently, so the `.js` -> `.ts` alias is what makes the dependency rule bite.
const resolver = createNodeResolver({
  extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.node'],
  extensionAlias: { '.js': ['.ts', '.js'], '.mjs': ['.mts', '.mjs'], '.cjs': ['.cts', '.cjs'] },
});

// A type-only import of a DTO or query class in a controller turns its decorator metadata into `Object`,
// and the validation pipe then silently validates nothing.
const dtoModule = '/\\.(dto|query)\\.js$/';
const controllerDtoImports = [
  {
    selector: `ImportDeclaration[importKind='type'][source.value=${dtoModule}]`,
    message: 'Import DTO and query classes as values in controllers: `import type` disables their validation.',
  },
  {
    selector: `ImportDeclaration[source.value=${dtoModule}] > ImportSpecifier[importKind='type']`,
    message: 'Import DTO and query classes as values in controllers: `import type` disables their validation.',
  },
];

export default defineConfig(
  globalIgnores([
    'node_modules/',
    'dist/',
    '.data/',
    'coverage/',
    'test-output/',
    'src/generated/',
    'packages/*/dist/',
    'packages/*/src/generated/',
  ]),

  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        // Also read from tsconfig.json by the project service; stated here so consistent-type-imports can
        // never lose sight of decorator metadata (it leaves files with decorators alone when both are on).
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports', disallowTypeAnnotations: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Off: its only hits are methods that implement async contracts (Nest guards, the A2A SDK's handlers)
      // without awaiting; dropping `async` there would turn their errors into synchronous throws.
      '@typescript-eslint/require-await': 'off',
    },
  },

  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [resolver] },
    rules: {
      'no-console': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: boundaryZones }],
    },
  },

  {
    // supertest types every response body as `any`, and reading fields off it is what an e2e test does:
    // the no-unsafe-* family would flag ~250 such reads and nothing else in test/. It stays on in src/.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  {
    files: ['src/**/*.controller.ts'],
    rules: { 'no-restricted-syntax': ['error', ...controllerDtoImports] },
  },

  {
    files: ['bench/**/*.mjs', 'test/**/*.mjs', 'eslint.*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },

  {
    files: ['**/*.cjs', 'test/setup/*.js', 'jest.config.js', 'packages/jest.preset.js', 'packages/*/jest.config.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },

  {
    files: ['src/oversight/review/viewer/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },

  // Last: switches off the rules that disagree with Prettier's output (e.g. no-unexpected-multiline).
  prettierConfig,
);
