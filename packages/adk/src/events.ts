import type { Event as ServiceEvent, JsonObject, Part, RecordTurnBody, Step } from '@agent-session/client';
import { createEvent, type Event } from '@google/adk';

/** Metadata key under which each service event keeps the ADK event it was made from (lossless read-back). */
export const META_KEY = 'adk';

type Meta = { event?: unknown; placeholder?: boolean };
type TurnBody = Omit<RecordTurnBody, 'turnId'>;
type AdkPart = NonNullable<NonNullable<Event['content']>['parts']>[number];

const PLACEHOLDER: Part[] = [{ kind: 'data', data: { placeholder: true } }];

/** The event as plain JSON (ADK events carry a symbol brand, which JSON drops; createEvent restores it). */
function plain(event: Event): JsonObject {
  return JSON.parse(JSON.stringify(event)) as JsonObject;
}

function meta(value: Meta): JsonObject {
  return { [META_KEY]: value };
}

function partsOf(event: Event): Part[] {
  const parts: Part[] = [];
  for (const part of event.content?.parts ?? []) {
    if (typeof part.text === 'string' && part.text && !part.thought) parts.push({ kind: 'text', text: part.text });
    else parts.push({ kind: 'data', data: JSON.parse(JSON.stringify(part)) as JsonObject });
  }
  return parts.length > 0 ? parts : [{ kind: 'data', data: { author: event.author ?? null } }];
}

function only<T>(parts: AdkPart[], pick: (part: AdkPart) => T | undefined): T | undefined {
  const found = parts.map(pick).filter((value): value is T => value !== undefined);
  return parts.length === 1 && found.length === 1 ? found[0] : undefined;
}

/** One ADK event as one step: a single function call or response as a tool step, anything else as a message. */
export function stepOf(event: Event): Step {
  const metadata = meta({ event: plain(event) });
  const parts = event.content?.parts ?? [];
  const call = only(parts, (p) => p.functionCall);
  if (call)
    return {
      kind: 'tool_call',
      callId: call.id ?? event.id,
      name: call.name ?? 'tool',
      arguments: call.args ?? {},
      metadata,
    };
  const response = only(parts, (p) => p.functionResponse);
  if (response) {
    const output: Part[] = [{ kind: 'data', data: response.response ?? {} }];
    return { kind: 'tool_result', callId: response.id ?? event.id, output, metadata };
  }
  return { kind: 'message', parts: partsOf(event), metadata };
}

/** Token use the model reported on the invocation's events. */
function usageOf(events: Event[]): RecordTurnBody['usage'] {
  let promptTokens = 0;
  let completionTokens = 0;
  for (const event of events) {
    promptTokens += event.usageMetadata?.promptTokenCount ?? 0;
    completionTokens += event.usageMetadata?.candidatesTokenCount ?? 0;
  }
  return promptTokens + completionTokens > 0 ? { promptTokens, completionTokens } : undefined;
}

/**
 * One invocation as a turn: the user's event is the input, the final response the answer, the events between
 * them the steps. A buffer that does not start with a user event (an invocation started without a new message)
 * gets a placeholder input, hidden when read back.
 */
export function invocationToTurn(events: Event[], statePatch: JsonObject | undefined): TurnBody {
  const [first, ...rest] = events;
  const fromUser = first.author === 'user';
  const body = fromUser ? rest : events;
  const last = body[body.length - 1];
  const answered = last !== undefined;
  const steps = (answered ? body.slice(0, -1) : body).map(stepOf);
  const usage = usageOf(events);
  return {
    input: fromUser
      ? { parts: partsOf(first), metadata: meta({ event: plain(first) }) }
      : { parts: PLACEHOLDER, metadata: meta({ placeholder: true }) },
    ...(steps.length > 0 ? { steps } : {}),
    output: answered
      ? { parts: partsOf(last), metadata: meta({ event: plain(last) }) }
      : { parts: PLACEHOLDER, metadata: meta({ placeholder: true }) },
    ...(usage ? { usage } : {}),
    ...(statePatch && Object.keys(statePatch).length > 0 ? { statePatch } : {}),
  };
}

function derived(event: ServiceEvent): Event {
  const text = event.parts.map((p) => (p.kind === 'text' ? p.text : JSON.stringify(p))).join('');
  const timestamp = Date.parse(event.createdAt);
  if (event.role === 'user')
    return createEvent({ id: event.id, author: 'user', timestamp, content: { role: 'user', parts: [{ text }] } });
  return createEvent({ id: event.id, author: 'agent', timestamp, content: { role: 'model', parts: [{ text }] } });
}

/** A history event as the ADK event it was made from; undefined for placeholders. */
export function toAdkEvent(event: ServiceEvent): Event | undefined {
  const found = event.metadata?.[META_KEY] as Meta | undefined;
  if (found?.placeholder) return undefined;
  if (found?.event) return createEvent(found.event);
  return derived(event);
}
