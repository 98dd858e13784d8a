import { isEventStream, parseJson, postToAgent, sseMessages } from './agent-http.js';
import {
  optionalHeaders,
  optionalNumber,
  requireString,
  type AgentConfigEntry,
} from '../../platform/config/agent-config.js';
import {
  AgentError,
  type Agent,
  type AgentDescriptor,
  type AgentReply,
  type AgentTurn,
  type AgentUsage,
} from './agent.interface.js';
import { buildChatPrompt } from './chat-prompt.js';

interface Completion {
  model?: string;
  choices?: { message?: { content?: string | null }; delta?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

export interface OpenAiAgentOptions {
  /** secrets read from the environment at boot, by variable name */
  secrets: Record<string, string | undefined>;
  defaultWindow: number;
}

/**
 * Any OpenAI-compatible chat-completions server. The prompt is built from the session history (window and
 * token budget), answers are streamed when `stream` is on (the default), and token usage is recorded.
 */
export class OpenAiAgent implements Agent {
  readonly descriptor: AgentDescriptor;
  private readonly endpoint: string;
  private readonly model: string;
  private readonly headers: Record<string, string>;
  private readonly window: number;
  private readonly maxPromptTokens: number;
  private readonly systemPrompt?: string;
  private readonly temperature?: number;

  constructor(entry: AgentConfigEntry, options: OpenAiAgentOptions) {
    this.endpoint = `${requireString(entry, 'baseUrl').replace(/\/+$/, '')}/chat/completions`;
    this.model = requireString(entry, 'model');
    const keyVariable = typeof entry.apiKeyEnv === 'string' ? entry.apiKeyEnv : 'OPENAI_API_KEY';
    const apiKey = options.secrets[keyVariable];
    this.headers = { ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}), ...optionalHeaders(entry) };
    this.window = optionalNumber(entry, 'historyWindow') ?? options.defaultWindow;
    this.maxPromptTokens = optionalNumber(entry, 'maxPromptTokens') ?? 8_000;
    this.systemPrompt = typeof entry.systemPrompt === 'string' ? entry.systemPrompt : undefined;
    this.temperature = typeof entry.temperature === 'number' ? entry.temperature : undefined;
    this.descriptor = {
      id: entry.id,
      kind: 'openai',
      name: entry.name ?? entry.id,
      description: entry.description ?? `Chat model ${this.model}`,
      streaming: entry.stream !== false,
    };
  }

  async run(turn: AgentTurn): Promise<AgentReply> {
    const messages = buildChatPrompt(turn.history, turn.event, {
      window: this.window,
      maxPromptTokens: this.maxPromptTokens,
      systemPrompt: this.systemPrompt,
    });
    const stream = this.descriptor.streaming;
    const res = await postToAgent({
      url: this.endpoint,
      headers: this.headers,
      signal: turn.signal,
      stream,
      body: {
        model: this.model,
        messages,
        ...(this.temperature !== undefined ? { temperature: this.temperature } : {}),
        ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      },
    });
    return isEventStream(res) ? this.readStream(res, turn) : this.readCompletion(await res.text());
  }

  private readCompletion(body: string): AgentReply {
    const completion = parseJson<Completion>(body, 'chat completion');
    const text = completion.choices?.[0]?.message?.content;
    if (typeof text !== 'string') throw new AgentError('chat completion has no message content');
    return { parts: [{ kind: 'text', text }], usage: this.usage(completion) };
  }

  private async readStream(res: Response, turn: AgentTurn): Promise<AgentReply> {
    let text = '';
    let usage: AgentUsage = { model: this.model };
    for await (const message of sseMessages(res)) {
      if (message.data === '[DONE]') break;
      const chunk = parseJson<Completion>(message.data, 'chat completion chunk');
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) {
        text += delta;
        turn.onDelta?.(delta);
      }
      if (chunk.usage) usage = this.usage(chunk);
    }
    return { parts: [{ kind: 'text', text }], usage };
  }

  private usage(completion: Completion): AgentUsage {
    return {
      model: completion.model ?? this.model,
      promptTokens: completion.usage?.prompt_tokens,
      completionTokens: completion.usage?.completion_tokens,
    };
  }
}
