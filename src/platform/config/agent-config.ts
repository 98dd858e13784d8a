import { readFileSync } from 'node:fs';
/** One entry of AGENTS_FILE: `id` and `kind`, plus options of that kind. */
export interface AgentConfigEntry {
  id: string;
  kind: string;
  name?: string;
  description?: string;
  [option: string]: unknown;
}

export function requireString(entry: AgentConfigEntry, key: string): string {
  const value = entry[key];
  if (typeof value !== 'string' || value.length === 0)
    throw new Error(`agent "${entry.id}": "${key}" must be a non-empty string`);
  return value;
}

export function optionalNumber(entry: AgentConfigEntry, key: string): number | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`agent "${entry.id}": "${key}" must be a positive number`);
  }
  return value;
}

export function optionalHeaders(entry: AgentConfigEntry): Record<string, string> {
  const value = entry.headers;
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new Error(`agent "${entry.id}": "headers" must be an object of strings`);
  }
  return value as Record<string, string>;
}

export const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const EXTERNAL_KIND = 'external';
const BUILT_IN: AgentConfigEntry = { id: 'echo', kind: 'echo' };

/**
 * The configured agents by id, as read from AGENTS_FILE (JSON: `{"agents": [...]}`) at boot, plus the built-in
 * `echo`. Which agents exist is configuration, so every module may ask it; how an agent of each kind runs is
 * the runtime's business. A bad file stops the service at boot with a message naming the entry.
 */
export class AgentCatalog {
  readonly entries: readonly AgentConfigEntry[];

  constructor(
    file: string | undefined,
    readonly defaultAgentId: string,
  ) {
    const byId = new Map<string, AgentConfigEntry>([[BUILT_IN.id, BUILT_IN]]);
    for (const entry of file ? readAgentsFile(file) : []) {
      if (typeof entry?.id !== 'string' || !AGENT_ID.test(entry.id)) {
        throw new Error(`agent id ${JSON.stringify(entry?.id)} must match ${AGENT_ID}`);
      }
      byId.set(entry.id, entry);
    }
    this.entries = [...byId.values()];
    if (!byId.has(defaultAgentId)) throw new Error(`DEFAULT_AGENT_ID "${defaultAgentId}" is not a configured agent`);
  }

  has(id: string): boolean {
    return this.entries.some((entry) => entry.id === id);
  }

  /** Whether the agent is of kind `external`: the service never runs it; pull workers claim its tasks over HTTP. */
  isExternal(id: string): boolean {
    return this.entries.some((entry) => entry.id === id && entry.kind === EXTERNAL_KIND);
  }

  /** The ids of the `external` agents, whose tasks the hosted worker must never claim. */
  externalAgentIds(): string[] {
    return this.entries.filter((entry) => entry.kind === EXTERNAL_KIND).map((entry) => entry.id);
  }
}

function readAgentsFile(path: string): AgentConfigEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`AGENTS_FILE ${path} cannot be read as JSON: ${(error as Error).message}`, { cause: error });
  }
  const agents = (parsed as { agents?: unknown }).agents;
  if (!Array.isArray(agents)) throw new Error(`AGENTS_FILE ${path} must hold {"agents": [...]}`);
  return agents as AgentConfigEntry[];
}
