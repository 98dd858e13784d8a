import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An AGENTS_FILE with these `external` agents besides the built-in echo; returns its path. */
export function externalAgentsFile(...ids: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'agents-')), 'agents.json');
  writeFileSync(file, JSON.stringify({ agents: ids.map((id) => ({ id, kind: 'external' })) }));
  return file;
}
