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
  if (typeof value !== 'string' || value.length === 0) throw new Error(`agent "${entry.id}": "${key}" must be a non-empty string`);
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
