import type { Event, JsonObject, Part, RecordTurnBody, Step } from '@agent-session/client';
import type { AgentInputItem } from '@openai/agents';

/** Metadata key under which each event keeps the SDK item it was made from, so reading it back is lossless. */
export const META_KEY = 'openaiAgents';

type Meta = { item?: AgentInputItem; placeholder?: boolean };
type TurnBody = Omit<RecordTurnBody, 'turnId'>;

const PLACEHOLDER: Part[] = [{ kind: 'data', data: { placeholder: true } }];

function meta(extra: Meta): JsonObject {
  return { [META_KEY]: extra };
}

function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content
    .map((c: { type?: string; text?: string; refusal?: string }) => c.text ?? c.refusal)
    .filter((t): t is string => typeof t === 'string');
  return texts.length > 0 ? texts.join('') : undefined;
}

/** Readable parts for an item (what transcripts, review search and SQL see); the item itself is in metadata. */
export function partsOf(item: AgentInputItem): Part[] {
  const text = 'content' in item ? textOf(item.content) : undefined;
  if (text) return [{ kind: 'text', text }];
  return [{ kind: 'data', data: { type: item.type ?? 'message' } }];
}

function outputParts(output: unknown): Part[] {
  if (typeof output === 'string' && output) return [{ kind: 'text', text: output }];
  const text = textOf(Array.isArray(output) ? output : [output]);
  return text ? [{ kind: 'text', text }] : [{ kind: 'data', data: { output: output ?? null } }];
}

function parseArguments(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** One item as a step of a turn: calls and results as tool steps, everything else as a message step. */
export function stepOf(item: AgentInputItem): Step {
  const metadata = meta({ item });
  if (item.type === 'function_call') {
    return {
      kind: 'tool_call',
      callId: item.callId,
      name: item.name,
      arguments: parseArguments(item.arguments),
      metadata,
    };
  }
  if (item.type === 'function_call_result') {
    return { kind: 'tool_result', callId: item.callId, output: outputParts(item.output), metadata };
  }
  return { kind: 'message', parts: partsOf(item), metadata };
}

const isUserMessage = (item: AgentInputItem): boolean =>
  (item.type === undefined || item.type === 'message') && 'role' in item && item.role === 'user';
const isAssistantMessage = (item: AgentInputItem): boolean =>
  (item.type === undefined || item.type === 'message') && 'role' in item && item.role === 'assistant';

/**
 * Groups items into turns: each user message opens a turn; the items after it up to the next user message are its
 * steps, and the last of them, when it is an assistant message, its answer. Items before any user message, and a
 * turn that does not end with an assistant message, get a placeholder input or answer (hidden when read back).
 */
export function itemsToTurns(items: AgentInputItem[]): TurnBody[] {
  const groups: AgentInputItem[][] = [];
  for (const item of items) {
    if (isUserMessage(item) || groups.length === 0) groups.push([]);
    groups[groups.length - 1].push(item);
  }
  return groups.map((group) => {
    const [first, ...rest] = group;
    const input = isUserMessage(first)
      ? { parts: partsOf(first), metadata: meta({ item: first }) }
      : { parts: PLACEHOLDER, metadata: meta({ placeholder: true }) };
    const body = isUserMessage(first) ? rest : group;
    const last = body[body.length - 1];
    const answered = last !== undefined && isAssistantMessage(last);
    const steps = (answered ? body.slice(0, -1) : body).map(stepOf);
    const output = answered
      ? { parts: partsOf(last), metadata: meta({ item: last }) }
      : { parts: PLACEHOLDER, metadata: meta({ placeholder: true }) };
    return { input, ...(steps.length > 0 ? { steps } : {}), output };
  });
}

function metaOf(event: Event): Meta | undefined {
  const fromMetadata = event.metadata?.[META_KEY] as Meta | undefined;
  if (fromMetadata) return fromMetadata;
  // A compaction summary carries its item in a data part (an edit's summary has parts only).
  for (const part of event.parts) {
    if (part.kind === 'data' && part.data && typeof part.data === 'object' && META_KEY in part.data) {
      return (part.data as Record<string, Meta>)[META_KEY];
    }
  }
  return undefined;
}

export function isPlaceholder(event: Event): boolean {
  return metaOf(event)?.placeholder === true;
}

function plainText(event: Event): string {
  return event.parts.map((p) => (p.kind === 'text' ? p.text : JSON.stringify(p.kind === 'data' ? p.data : p))).join('');
}

/** An event written by something else than this adapter (a hosted agent, a pull worker, curl) as an item. */
function derivedItem(event: Event): AgentInputItem {
  const md = event.metadata ?? {};
  const str = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);
  if (event.type === 'tool_call') {
    const data = event.parts.find((p) => p.kind === 'data')?.data as { name?: string; arguments?: unknown } | undefined;
    const args = data?.arguments;
    return {
      type: 'function_call',
      callId: str(md.callId, event.id),
      name: str(md.name, data?.name ?? 'tool'),
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? null),
    };
  }
  if (event.type === 'tool_result') {
    return {
      type: 'function_call_result',
      callId: str(md.callId, event.id),
      name: str(md.name, 'tool'),
      status: 'completed',
      output: { type: 'text', text: plainText(event) },
    };
  }
  if (event.role === 'user') return { type: 'message', role: 'user', content: plainText(event) };
  if (event.role === 'system') return { type: 'message', role: 'system', content: plainText(event) };
  return {
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: plainText(event) }],
  };
}

/** A history event as the SDK item it came from; undefined for placeholders. */
export function eventToItem(event: Event): AgentInputItem | undefined {
  const found = metaOf(event);
  if (found?.placeholder) return undefined;
  return found?.item ?? derivedItem(event);
}

export function eventsToItems(events: Event[]): AgentInputItem[] {
  return events.flatMap((event) => {
    const item = eventToItem(event);
    return item ? [item] : [];
  });
}

/** The summary parts of a compaction: the SDK's compaction item, kept whole. */
export function compactionSummary(item: AgentInputItem): { parts: Part[] } {
  return { parts: [{ kind: 'data', data: meta({ item }) }] };
}
