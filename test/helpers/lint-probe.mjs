// Lints source text as if it lived at a given path under the repository, with the project's own ESLint config.
// Runs in its own process (Jest cannot load the ESM config). stdin: [{ filePath, code }]; stdout: the same
// list with the problems found, as [{ filePath, problems: [{ ruleId, message }] }].
// Type-aware rules are off: the probed files do not exist, so the TypeScript project service cannot see them.
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });
const cases = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const { filePath, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) });
  const problems = result.messages.map(({ ruleId, message }) => ({ ruleId, message }));
  results.push({ filePath, problems });
}
process.stdout.write(JSON.stringify(results));
