import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

interface Probe {
  filePath: string;
  code: string;
}
interface ProbeResult {
  filePath: string;
  problems: { ruleId: string | null; message: string }[];
}

const probeScript = resolve(__dirname, '../helpers/lint-probe.mjs');

/** `import { X } from '<from>'` placed at `<at>`, as the project's ESLint config sees it. */
const importAt = (at: string, from: string, kind: 'value' | 'type' = 'value'): Probe => ({
  filePath: at,
  code:
    kind === 'type'
      ? `import type { X } from '${from}';\nexport type Y = X;\n`
      : `import { X } from '${from}';\nexport const y = X;\n`,
});

const forbidden: Record<string, Probe> = {
  'platform -> conversation': importAt('src/platform/http/probe.ts', '../../conversation/sessions.service.js'),
  'platform -> identity': importAt('src/platform/probe.ts', '../identity/auth/auth-context.js', 'type'),
  'identity -> conversation': importAt('src/identity/auth/probe.ts', '../../conversation/conversation.reader.js'),
  'conversation -> runtime': importAt('src/conversation/probe.ts', '../runtime/worker.service.js'),
  'conversation -> live': importAt('src/conversation/http/probe.ts', '../../live/live.module.js'),
  'runtime -> live': importAt('src/runtime/probe.ts', '../live/task-deltas.service.js'),
  'live -> oversight': importAt('src/live/probe.ts', '../oversight/review/review.service.js'),
  'oversight -> runtime': importAt('src/oversight/audit/probe.ts', '../../runtime/worker.service.js'),
  'live -> conversation store': importAt('src/live/probe.ts', '../conversation/store/events.repository.js'),
  'a2a -> conversation store (type only)': importAt(
    'src/a2a/probe.ts',
    '../conversation/store/tasks.repository.js',
    'type',
  ),
  'oversight -> identity repository': importAt(
    'src/oversight/probe.ts',
    '../identity/access-log/access-log.repository.js',
  ),
  'a2a -> runtime repository': importAt('src/a2a/probe.ts', '../runtime/queue.repository.js'),
  'a2a -> cli': importAt('src/a2a/probe.ts', '../cli/run-cli.js'),
  'a2a -> app module': importAt('src/a2a/probe.ts', '../app.module.js'),
  'operations -> a2a (would close a cycle)': importAt('src/operations/probe.ts', '../a2a/a2a.module.js'),
  'service -> Prisma client': importAt('src/live/probe.service.ts', '../generated/prisma/client.js'),
};

const allowed: Record<string, Probe> = {
  'conversation -> its own store': importAt('src/conversation/probe.ts', './store/events.repository.js'),
  'conversation -> identity': importAt('src/conversation/probe.ts', '../identity/auth/auth-context.js', 'type'),
  'runtime -> conversation service': importAt('src/runtime/probe.ts', '../conversation/tasks.service.js'),
  'live -> conversation reader': importAt('src/live/probe.ts', '../conversation/conversation.reader.js'),
  'a2a -> runtime and live': importAt('src/a2a/probe.ts', '../live/turn-stream.service.js'),
  'cli -> oversight': importAt('src/cli/probe.ts', '../oversight/retention/retention.service.js'),
  'repository -> Prisma client': importAt('src/runtime/probe.repository.ts', '../generated/prisma/client.js'),
  'platform -> Prisma client': importAt('src/platform/database/probe.ts', '../../generated/prisma/client.js'),
  'test -> a repository': importAt('test/e2e/probe.ts', '../../src/conversation/store/events.repository.js'),
};

// A controller whose handler takes the DTO as a decorated parameter, as Nest's validation pipe needs it.
const dtoImport = (clause: string): Probe => ({
  filePath: 'src/conversation/http/probe.controller.ts',
  code: [
    "import { Body } from '@nestjs/common';",
    `import ${clause} from './dto/create-session.dto.js';`,
    'export class ProbeController {',
    '  create(@Body() dto: CreateSessionDto): unknown {',
    '    return dto;',
    '  }',
    '}',
    '',
  ].join('\n'),
});

function lint(probes: Probe[]): ProbeResult[] {
  // With CI=true typescript-eslint infers a single run and, the probe being untyped, forgets decorator metadata.
  const env = { ...process.env, TSESTREE_SINGLE_RUN: 'false' };
  const out = execFileSync(process.execPath, [probeScript], { input: JSON.stringify(probes), encoding: 'utf8', env });
  return JSON.parse(out) as ProbeResult[];
}

const rulesHit = (result: ProbeResult): (string | null)[] => result.problems.map((problem) => problem.ruleId);

describe('lint: dependency rule between modules', () => {
  const names = [...Object.keys(forbidden), ...Object.keys(allowed)];
  let results: Map<string, ProbeResult>;

  beforeAll(() => {
    const found = lint([...Object.values(forbidden), ...Object.values(allowed)]);
    results = new Map(names.map((name, i) => [name, found[i]]));
  });

  it.each(Object.keys(forbidden))('rejects %s', (name) => {
    expect(rulesHit(results.get(name)!)).toEqual(['import-x/no-restricted-paths']);
  });

  it.each(Object.keys(allowed))('accepts %s', (name) => {
    expect(results.get(name)!.problems).toEqual([]);
  });
});

describe('lint: DTO imports in controllers', () => {
  // consistent-type-imports must not ask for `import type` here either: that would switch validation off.
  it('rejects a type-only DTO import and accepts the value import a decorated parameter needs', () => {
    const [typeOnly, inlineType, value] = lint([
      dtoImport('type { CreateSessionDto }'),
      dtoImport('{ type CreateSessionDto }'),
      dtoImport('{ CreateSessionDto }'),
    ]);
    expect(rulesHit(typeOnly)).toEqual(['no-restricted-syntax']);
    expect(rulesHit(inlineType)).toEqual(['no-restricted-syntax']);
    expect(value.problems).toEqual([]);
  });
});
