import {
  optionalHeaders,
  optionalNumber,
  requireString,
  type AgentConfigEntry,
} from '../../platform/config/agent-config.js';
import type { JsonValue } from '../../platform/json/json.js';
import { GenAi } from '../../platform/telemetry/gen-ai.attributes.js';
import { markSpanError, SpanKind, withSpan } from '../../platform/telemetry/tracing.js';
import {
  AgentError,
  type Agent,
  type AgentDescriptor,
  type AgentReply,
  type AgentTurn,
  type AgentUsage,
} from './agent.interface.js';
import { buildChatPrompt } from './chat-prompt.js';
import { McpToolbox, parseMcpServers, type McpTool, type McpToolOutcome } from './mcp-toolbox.js';
import {
  complete,
  toWireToolCalls,
  type FunctionTool,
  type ModelAnswer,
  type ToolCallRequest,
  type WireMessage,
} from './openai-completion.js';

export interface OpenAiAgentOptions {
  /** secrets read from the environment at boot, by variable name */
  secrets: Record<string, string | undefined>;
  defaultWindow: number;
}

const DEFAULT_MAX_TOOL_ROUNDS = 8;
const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

/**
 * Any OpenAI-compatible chat-completions server. The prompt is built from the session history (window and
 * token budget), answers are streamed when `stream` is on (the default), and token usage is recorded. With
 * `mcpServers`, the servers' tools are offered to the model as functions and the tool loop runs: each call
 * the model asks for is recorded as a `tool_call` step, run on its MCP server, recorded as a `tool_result`
 * step and fed back, until the model answers or `maxToolRounds` rounds of calls have run.
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
  private readonly maxToolRounds: number;
  private readonly toolbox: McpToolbox;

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
    this.maxToolRounds = optionalNumber(entry, 'maxToolRounds') ?? DEFAULT_MAX_TOOL_ROUNDS;
    const toolTimeoutMs = optionalNumber(entry, 'toolTimeoutMs') ?? DEFAULT_TOOL_TIMEOUT_MS;
    this.toolbox = new McpToolbox(entry.id, parseMcpServers(entry.id, entry.mcpServers), toolTimeoutMs);
    this.descriptor = {
      id: entry.id,
      kind: 'openai',
      name: entry.name ?? entry.id,
      description: entry.description ?? `Chat model ${this.model}`,
      streaming: entry.stream !== false,
      model: this.model,
    };
  }

  async run(turn: AgentTurn): Promise<AgentReply> {
    const messages: WireMessage[] = buildChatPrompt(turn.history, turn.event, {
      window: this.window,
      maxPromptTokens: this.maxPromptTokens,
      systemPrompt: this.systemPrompt,
    });
    const tools = this.toolbox.empty ? [] : await this.toolbox.tools();
    const functions = tools.map(toFunction);
    const usage: AgentUsage = { model: this.model };
    for (let round = 0; ; round++) {
      const answer = await this.chat(messages, functions, turn);
      addUsage(usage, answer);
      if (answer.toolCalls.length === 0) return { parts: [{ kind: 'text', text: answer.text }], usage };
      if (round >= this.maxToolRounds) {
        throw new AgentError(
          `the model still asked for tools after ${this.maxToolRounds} rounds of tool calls (maxToolRounds)`,
        );
      }
      if (answer.text) await turn.onStep?.({ kind: 'message', parts: [{ kind: 'text', text: answer.text }] });
      messages.push({ role: 'assistant', content: answer.text || null, tool_calls: toWireToolCalls(answer.toolCalls) });
      for (const call of answer.toolCalls) {
        const outcome = await this.runTool(call, tools, turn);
        messages.push({ role: 'tool', tool_call_id: call.id, content: outcome.content });
      }
    }
  }

  async close(): Promise<void> {
    await this.toolbox.close();
  }

  /** One model call, as a `chat <model>` span with the GenAI attributes. */
  private chat(messages: WireMessage[], tools: FunctionTool[], turn: AgentTurn): Promise<ModelAnswer> {
    const attributes = {
      [GenAi.operationName]: 'chat',
      [GenAi.providerName]: 'openai',
      [GenAi.requestModel]: this.model,
    };
    return withSpan(`chat ${this.model}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const answer = await complete({
        endpoint: this.endpoint,
        headers: this.headers,
        model: this.model,
        messages,
        tools,
        temperature: this.temperature,
        stream: this.descriptor.streaming,
        signal: turn.signal,
        onDelta: turn.onDelta,
      });
      span.setAttributes({
        [GenAi.responseModel]: answer.model,
        ...(answer.promptTokens !== undefined ? { [GenAi.inputTokens]: answer.promptTokens } : {}),
        ...(answer.completionTokens !== undefined ? { [GenAi.outputTokens]: answer.completionTokens } : {}),
        ...(answer.finishReason ? { [GenAi.responseFinishReasons]: [answer.finishReason] } : {}),
      });
      return answer;
    });
  }

  /** Records the call, runs it on its MCP server (an `execute_tool <name>` span), records the result. */
  private async runTool(call: ToolCallRequest, tools: McpTool[], turn: AgentTurn): Promise<McpToolOutcome> {
    const args = parseArguments(call.arguments);
    await turn.onStep?.({ kind: 'tool_call', callId: call.id, name: call.name, arguments: args.value });
    const attributes = {
      [GenAi.operationName]: 'execute_tool',
      [GenAi.toolName]: call.name,
      [GenAi.toolCallId]: call.id,
      [GenAi.toolType]: 'function',
    };
    const outcome = await withSpan(`execute_tool ${call.name}`, { attributes }, async (span) => {
      const tool = tools.find((t) => t.name === call.name);
      const result = !tool
        ? errorOutcome(`unknown tool "${call.name}"`)
        : args.error
          ? errorOutcome(`arguments of ${call.name} are not valid JSON: ${args.error}`)
          : await this.toolbox.call(tool, args.value, turn.signal);
      if (result.isError) {
        span.setAttribute(GenAi.errorType, 'tool_error');
        markSpanError(span, result.content.slice(0, 200));
      }
      return result;
    });
    await turn.onStep?.({ kind: 'tool_result', callId: call.id, output: outcome.output, isError: outcome.isError });
    return outcome;
  }
}

function toFunction(tool: McpTool): FunctionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

function addUsage(usage: AgentUsage, answer: ModelAnswer): void {
  usage.model = answer.model;
  if (answer.promptTokens !== undefined) usage.promptTokens = (usage.promptTokens ?? 0) + answer.promptTokens;
  if (answer.completionTokens !== undefined)
    usage.completionTokens = (usage.completionTokens ?? 0) + answer.completionTokens;
}

/** The model's argument text as JSON; text that does not parse is kept as a string and answered with an error. */
function parseArguments(text: string): { value: JsonValue; error?: string } {
  if (!text.trim()) return { value: {} };
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { value: text, error: (error as Error).message };
  }
}

function errorOutcome(message: string): McpToolOutcome {
  return { output: [{ kind: 'text', text: message }], isError: true, content: message };
}
