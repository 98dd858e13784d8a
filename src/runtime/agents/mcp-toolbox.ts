import { Logger } from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Part } from '../../conversation/records/event.record.js';
import { errorMessage } from '../../platform/errors/error-message.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../platform/json/json.js';
import { AgentError } from './agent.interface.js';

/** One MCP server of an agent's config: Streamable HTTP (`url`, `headers`) or stdio (`command`, `args`, `env`). */
export interface McpServerConfig {
  name: string;
  url?: string;
  headers?: Record<string, string>;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
}

/** A tool offered to the model: its function name, the server that serves it and its JSON Schema. */
export interface McpTool {
  name: string;
  server: string;
  toolName: string;
  description: string;
  parameters: JsonObject;
}

export interface McpToolOutcome {
  output: Part[];
  isError: boolean;
  /** what the model is told (the tool's text, or the error) */
  content: string;
}

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function parseMcpServers(agentId: string, value: unknown): McpServerConfig[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`agent "${agentId}": "mcpServers" must be an array`);
  return value.map((server: unknown, i) => {
    const where = `agent "${agentId}": "mcpServers[${i}]"`;
    if (!isJsonObject(server) || typeof server.name !== 'string' || !server.name)
      throw new Error(`${where} needs a "name"`);
    const http = typeof server.url === 'string' && /^https?:\/\//.test(server.url);
    const stdio = typeof server.command === 'string' && server.command.length > 0;
    if (http === stdio) throw new Error(`${where} needs either an http(s) "url" or a "command"`);
    if (server.args !== undefined && !isStrings(server.args)) throw new Error(`${where}: "args" must be strings`);
    return server as unknown as McpServerConfig;
  });
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * The MCP servers of one agent, reached with the official SDK's client. Each server is connected on first use
 * and kept; a failed call drops the connection so the next turn reconnects. Tool names are offered to the model
 * as they are; a name two servers share is offered as `<server>_<tool>` for the second.
 */
export class McpToolbox {
  private readonly logger = new Logger(McpToolbox.name);
  private readonly connections = new Map<string, Promise<{ client: Client; tools: McpTool[] }>>();

  constructor(
    private readonly agentId: string,
    private readonly servers: McpServerConfig[],
    private readonly callTimeoutMs: number,
  ) {}

  get empty(): boolean {
    return this.servers.length === 0;
  }

  /** Every server's tools; a server that cannot be reached fails the turn (transient: the worker retries). */
  async tools(): Promise<McpTool[]> {
    const all: McpTool[] = [];
    for (const server of this.servers) {
      const { tools } = await this.connect(server);
      for (const tool of tools) {
        const taken = all.some((t) => t.name === tool.name);
        all.push(taken ? { ...tool, name: functionName(`${server.name}_${tool.toolName}`) } : tool);
      }
    }
    return all;
  }

  /** Calls a tool; a failed call (unreachable server, timeout, protocol error) is an error result, not a throw. */
  async call(tool: McpTool, args: JsonValue, signal: AbortSignal): Promise<McpToolOutcome> {
    const server = this.servers.find((s) => s.name === tool.server)!;
    try {
      const { client } = await this.connect(server);
      const result = await client.callTool(
        { name: tool.toolName, arguments: isJsonObject(args) ? args : {} },
        undefined,
        { signal, timeout: this.callTimeoutMs },
      );
      return toOutcome(result as CallResult);
    } catch (error) {
      if (signal.aborted) throw error;
      void this.disconnect(server.name);
      const message = `tool ${tool.name} failed: ${errorMessage(error).slice(0, 300)}`;
      return { output: [{ kind: 'text', text: message }], isError: true, content: message };
    }
  }

  async close(): Promise<void> {
    const open = [...this.connections.keys()];
    await Promise.allSettled(open.map((name) => this.disconnect(name)));
  }

  private connect(server: McpServerConfig): Promise<{ client: Client; tools: McpTool[] }> {
    let connection = this.connections.get(server.name);
    if (!connection) {
      connection = this.open(server);
      this.connections.set(server.name, connection);
      connection.catch(() => this.connections.delete(server.name));
    }
    return connection;
  }

  private async open(server: McpServerConfig): Promise<{ client: Client; tools: McpTool[] }> {
    const client = new Client({ name: `agent-session-service/${this.agentId}`, version: '1.0.0' });
    try {
      await client.connect(transport(server), { timeout: this.callTimeoutMs });
      const listed = await client.listTools(undefined, { timeout: this.callTimeoutMs });
      const tools = listed.tools.map((tool) => ({
        name: functionName(tool.name),
        server: server.name,
        toolName: tool.name,
        description: tool.description ?? '',
        parameters: tool.inputSchema as JsonObject,
      }));
      this.logger.log(`agent ${this.agentId}: MCP server ${server.name} offers ${tools.length} tool(s)`);
      return { client, tools };
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new AgentError(`MCP server ${server.name} unreachable: ${errorMessage(error).slice(0, 300)}`, true);
    }
  }

  private async disconnect(name: string): Promise<void> {
    const connection = this.connections.get(name);
    this.connections.delete(name);
    const open = await connection?.catch(() => undefined);
    await open?.client.close().catch(() => undefined);
  }
}

function transport(server: McpServerConfig): Transport {
  if (server.url) {
    return new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers ?? {} } });
  }
  return new StdioClientTransport({
    command: server.command!,
    args: server.args ?? [],
    env: server.env,
    stderr: 'ignore',
  });
}

/** OpenAI function names allow letters, digits, `_` and `-`, at most 64. */
function functionName(name: string): string {
  return FUNCTION_NAME.test(name) ? name : name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'tool';
}

interface CallResult {
  content?: { type: string; text?: string; [key: string]: unknown }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** Text content becomes text parts; structured content and other content types (images, resources) data parts. */
function toOutcome(result: CallResult): McpToolOutcome {
  const output: Part[] = [];
  for (const item of result.content ?? []) {
    if (item.type === 'text' && typeof item.text === 'string') output.push({ kind: 'text', text: item.text });
    else output.push({ kind: 'data', data: item as JsonObject });
  }
  if (result.structuredContent) output.push({ kind: 'data', data: result.structuredContent as JsonObject });
  if (output.length === 0) output.push({ kind: 'text', text: '' });
  const content = output
    .map((p) => (p.kind === 'text' ? p.text : JSON.stringify(p.kind === 'data' ? p.data : p)))
    .join('\n');
  return { output, isError: result.isError === true, content };
}
