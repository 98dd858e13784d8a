import { isEventStream, parseJson, postToAgent, sseMessages } from './agent-http.js';
import { AgentError } from './agent.interface.js';
import type { ChatMessage } from './chat-prompt.js';

/** A function the model may call (OpenAI chat-completions `tools` entry). */
export interface FunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: object };
}

export interface ToolCallRequest {
  id: string;
  name: string;
  /** JSON text, as the model wrote it */
  arguments: string;
}

/** The conversation sent to the model: the prompt, then assistant tool calls and their results. */
export type WireMessage =
  | ChatMessage
  | { role: 'assistant'; content: string | null; tool_calls: WireToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One answer of the model: text, the tools it asks for (if any), usage. */
export interface ModelAnswer {
  text: string;
  toolCalls: ToolCallRequest[];
  model: string;
  promptTokens?: number;
  completionTokens?: number;
  finishReason?: string;
}

interface ChoiceMessage {
  content?: string | null;
  tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[];
}

interface Completion {
  model?: string;
  choices?: { message?: ChoiceMessage; delta?: ChoiceMessage; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

export interface CompletionRequest {
  endpoint: string;
  headers: Record<string, string>;
  model: string;
  messages: WireMessage[];
  tools: FunctionTool[];
  temperature?: number;
  stream: boolean;
  signal: AbortSignal;
  onDelta?: (text: string) => void;
}

export function toWireToolCalls(calls: ToolCallRequest[]): WireToolCall[] {
  return calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
}

/** One chat-completions call, streamed or not; tool calls are assembled from their streamed pieces. */
export async function complete(request: CompletionRequest): Promise<ModelAnswer> {
  const res = await postToAgent({
    url: request.endpoint,
    headers: request.headers,
    signal: request.signal,
    stream: request.stream,
    body: {
      model: request.model,
      messages: request.messages,
      ...(request.tools.length > 0 ? { tools: request.tools } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    },
  });
  if (isEventStream(res)) return readStream(res, request);
  const completion = parseJson<Completion>(await res.text(), 'chat completion');
  const choice = completion.choices?.[0];
  const calls = assemble(choice?.message?.tool_calls ?? []);
  const text = choice?.message?.content;
  if (typeof text !== 'string' && calls.length === 0) throw new AgentError('chat completion has no message content');
  return { ...usageOf(completion, request.model), text: text ?? '', toolCalls: calls, finishReason: reason(choice) };
}

async function readStream(res: Response, request: CompletionRequest): Promise<ModelAnswer> {
  let text = '';
  const pieces: NonNullable<ChoiceMessage['tool_calls']> = [];
  let answer: Omit<ModelAnswer, 'text' | 'toolCalls'> = { model: request.model };
  let finishReason: string | undefined;
  for await (const message of sseMessages(res)) {
    if (message.data === '[DONE]') break;
    const chunk = parseJson<Completion>(message.data, 'chat completion chunk');
    const delta = chunk.choices?.[0]?.delta;
    if (delta?.content) {
      text += delta.content;
      request.onDelta?.(delta.content);
    }
    pieces.push(...(delta?.tool_calls ?? []));
    finishReason = reason(chunk.choices?.[0]) ?? finishReason;
    if (chunk.usage) answer = usageOf(chunk, request.model);
  }
  return { ...answer, text, toolCalls: assemble(pieces), finishReason };
}

/** Streamed tool calls arrive in pieces keyed by `index`: the first carries id and name, later ones more arguments. */
function assemble(pieces: NonNullable<ChoiceMessage['tool_calls']>): ToolCallRequest[] {
  const calls = new Map<number, ToolCallRequest>();
  pieces.forEach((piece, position) => {
    const key = piece.index ?? position;
    const call = calls.get(key) ?? { id: '', name: '', arguments: '' };
    call.id ||= piece.id ?? '';
    call.name ||= piece.function?.name ?? '';
    call.arguments += piece.function?.arguments ?? '';
    calls.set(key, call);
  });
  return [...calls.values()].map((call, i) => ({ ...call, id: call.id || `call_${i + 1}` }));
}

function usageOf(completion: Completion, model: string): Omit<ModelAnswer, 'text' | 'toolCalls'> {
  return {
    model: completion.model ?? model,
    promptTokens: completion.usage?.prompt_tokens,
    completionTokens: completion.usage?.completion_tokens,
  };
}

function reason(choice: { finish_reason?: string | null } | undefined): string | undefined {
  return choice?.finish_reason ?? undefined;
}
