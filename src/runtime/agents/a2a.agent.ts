import { setTimeout as sleep } from 'node:timers/promises';
import { Role, TaskState, type AgentCard, type Message, type StreamResponse, type Task } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  RestTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import { A2AError } from '@a2a-js/sdk/errors';
import { fromA2aPart, isTerminalState, toA2aPart } from '../../conversation/records/a2a-parts.js';
import type { Part } from '../../conversation/records/event.record.js';
import { optionalHeaders, requireString, type AgentConfigEntry } from '../../platform/config/agent-config.js';
import { errorMessage } from '../../platform/errors/error-message.js';
import { AgentError, type Agent, type AgentDescriptor, type AgentReply, type AgentTurn } from './agent.interface.js';

export interface A2aAgentEntry {
  id: string;
  name?: string;
  description?: string;
  url?: string;
  [key: string]: unknown;
}

/** The remote side of one session: its contextId, and the task that waits for our next message, if any. */
interface RemoteConversation {
  contextId: string;
  pendingTaskId?: string;
}

/** What a remote turn produced so far (from a blocking answer, stream events or polling). */
interface Observed {
  task?: Task;
  message?: Message;
  artifacts: Map<string, Part[]>;
}

const MAX_CONVERSATIONS = 10_000;
const POLL_MS = 500;
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * An agent served by another A2A server (this service included), reached with @a2a-js/sdk's client. Config:
 * `url` (the agent card URL, ending in .json, or the agent's base URL, whose card is at
 * `<url>/.well-known/agent-card.json`; without a card, the URL itself is used as a JSON-RPC endpoint),
 * `token` (sent as `Authorization: Bearer`), `headers`, `streaming` (default true) and `transport`
 * (`JSONRPC` or `HTTP+JSON`, preferred when the card offers both). Each session keeps its remote contextId
 * in memory; a remote task that asks for input is continued by the session's next message.
 */
export function createA2aAgent(entry: A2aAgentEntry, options: { timeoutMs: number }): Agent {
  return new A2aAgent(entry as AgentConfigEntry, options.timeoutMs);
}

class A2aAgent implements Agent {
  readonly descriptor: AgentDescriptor;
  private readonly url: string;
  private readonly fetchImpl: typeof fetch;
  private readonly preferred?: string;
  private readonly conversations = new Map<string, RemoteConversation>();
  private connecting?: Promise<{ client: Client; card: AgentCard }>;

  constructor(
    entry: AgentConfigEntry,
    private readonly timeoutMs: number,
  ) {
    this.url = requireString(entry, 'url');
    if (!/^https?:\/\//.test(this.url)) throw new Error(`agent "${entry.id}": "url" must be an http(s) URL`);
    const token = entry.token === undefined ? undefined : requireString(entry, 'token');
    const headers = { ...optionalHeaders(entry), ...(token ? { Authorization: `Bearer ${token}` } : {}) };
    this.fetchImpl = (input, init = {}) => {
      const merged = new Headers(init.headers);
      for (const [name, value] of Object.entries(headers)) merged.set(name, value);
      return fetch(input, { ...init, headers: merged });
    };
    this.preferred = entry.transport === 'HTTP+JSON' || entry.transport === 'JSONRPC' ? entry.transport : undefined;
    this.descriptor = {
      id: entry.id,
      kind: 'a2a',
      name: entry.name ?? entry.id,
      description: entry.description ?? `A2A agent at ${new URL(this.url).host}`,
      streaming: entry.streaming !== false,
    };
  }

  async run(turn: AgentTurn): Promise<AgentReply> {
    const { client, card } = await this.connect();
    const remote = this.conversations.get(turn.session.id);
    const signal = AbortSignal.any([turn.signal, AbortSignal.timeout(this.timeoutMs)]);
    const message = this.outgoing(turn, remote);
    const observed: Observed = { artifacts: new Map() };
    try {
      if (this.descriptor.streaming && card.capabilities?.streaming === true)
        await this.stream(client, message, turn, signal, observed);
      else await this.send(client, message, signal, observed);
      if (observed.task && !isSettledState(observed.task))
        observed.task = await this.poll(client, observed.task.id, signal);
    } catch (error) {
      if (remote?.pendingTaskId) this.remember(turn.session.id, { contextId: remote.contextId });
      const running = observed.task && !isSettledState(observed.task) ? observed.task : undefined;
      if (signal.aborted && running)
        void client.cancelTask({ tenant: '', id: running.id, metadata: undefined }).catch(() => undefined);
      throw toAgentError(error, signal);
    }
    return this.reply(turn.session.id, observed);
  }

  private connect(): Promise<{ client: Client; card: AgentCard }> {
    this.connecting ??= this.resolve().catch((error: unknown) => {
      this.connecting = undefined;
      throw toAgentError(error);
    });
    return this.connecting;
  }

  private async resolve(): Promise<{ client: Client; card: AgentCard }> {
    const legacyCompat = { enabled: true };
    const options = { fetchImpl: this.fetchImpl, legacyCompat };
    const resolver = new DefaultAgentCardResolver(options);
    const factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory(options), new RestTransportFactory(options)],
        preferredTransports: this.preferred ? [this.preferred] : undefined,
        cardResolver: resolver,
      }),
    );
    const isCardUrl = new URL(this.url).pathname.endsWith('.json');
    const card = isCardUrl
      ? await resolver.resolve(this.url, '')
      : await resolver.resolve(this.url.endsWith('/') ? this.url : `${this.url}/`).catch((error: unknown) => {
          if (error instanceof Error && /: 404$/.test(error.message)) return this.endpointCard();
          throw error;
        });
    return { client: await factory.createFromAgentCard(card), card };
  }

  /** No card at the URL: treat the URL as the agent's JSON-RPC (or configured transport's) endpoint. */
  private endpointCard(): AgentCard {
    return {
      name: this.descriptor.name,
      description: this.descriptor.description,
      version: '',
      provider: undefined,
      supportedInterfaces: [
        { url: this.url, protocolBinding: this.preferred ?? 'JSONRPC', tenant: '', protocolVersion: '1.0' },
      ],
      capabilities: { streaming: true, pushNotifications: false, extensions: [] },
      securitySchemes: {},
      securityRequirements: [],
      defaultInputModes: [],
      defaultOutputModes: [],
      skills: [],
      signatures: [],
    };
  }

  private outgoing(turn: AgentTurn, remote: RemoteConversation | undefined): Message {
    return {
      messageId: turn.event.id, // stable across retries, so a resend is recognised by servers that dedupe
      contextId: remote?.contextId ?? '',
      taskId: remote?.pendingTaskId ?? '',
      role: Role.ROLE_USER,
      parts: turn.event.parts.map(toA2aPart),
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    };
  }

  private async send(client: Client, message: Message, signal: AbortSignal, observed: Observed): Promise<void> {
    const result = await client.sendMessage(request(message), { signal });
    if (!('status' in result)) observed.message = result;
    else Object.assign(observed, { task: result, artifacts: collectArtifacts(result) });
  }

  private async stream(
    client: Client,
    message: Message,
    turn: AgentTurn,
    signal: AbortSignal,
    observed: Observed,
  ): Promise<void> {
    for await (const event of client.sendMessageStream(request(message), { signal })) observe(observed, event, turn);
  }

  /** The stream or answer ended before the remote task settled: ask for it until it does. */
  private async poll(client: Client, taskId: string, signal: AbortSignal): Promise<Task> {
    for (;;) {
      const task = await client.getTask({ tenant: '', id: taskId }, { signal });
      if (isSettledState(task)) return task;
      await sleep(POLL_MS, undefined, { signal });
    }
  }

  private reply(sessionId: string, observed: Observed): AgentReply {
    if (observed.message) {
      this.remember(sessionId, { contextId: observed.message.contextId });
      return { parts: answerParts([observed.message]), status: 'completed' };
    }
    const task = observed.task;
    if (!task) throw new AgentError('remote agent answered with neither a message nor a task');
    const state = task.status?.state;
    const asks = state === TaskState.TASK_STATE_INPUT_REQUIRED;
    this.remember(sessionId, { contextId: task.contextId, ...(asks ? { pendingTaskId: task.id } : {}) });
    const text = textOf(task.status?.message);
    if (state === TaskState.TASK_STATE_FAILED || state === TaskState.TASK_STATE_REJECTED) {
      throw new AgentError(
        `remote agent ${state === TaskState.TASK_STATE_FAILED ? 'failed' : 'rejected the task'}${text ? `: ${text}` : ''}`,
      );
    }
    if (state === TaskState.TASK_STATE_CANCELED) throw new AgentError('remote task was canceled');
    if (state === TaskState.TASK_STATE_AUTH_REQUIRED)
      throw new AgentError('remote agent requires further authentication');
    const artifacts = [...observed.artifacts.values()].flat();
    const parts =
      !asks && artifacts.length > 0 ? artifacts : answerParts([task.status?.message, lastAgentMessage(task)]);
    return { parts, status: asks ? 'input_required' : 'completed' };
  }

  private remember(sessionId: string, conversation: RemoteConversation): void {
    this.conversations.delete(sessionId);
    this.conversations.set(sessionId, conversation);
    if (this.conversations.size > MAX_CONVERSATIONS) this.conversations.delete(this.conversations.keys().next().value!);
  }
}

function request(message: Message) {
  return { tenant: '', message, configuration: undefined, metadata: undefined };
}

/** Applies one stream event; artifact text and `working` updates flagged as deltas are streamed on. */
function observe(observed: Observed, event: StreamResponse, turn: AgentTurn): void {
  const payload = event.payload;
  if (payload?.$case === 'message') observed.message = payload.value;
  if (payload?.$case === 'task') {
    observed.task = payload.value;
    for (const [id, parts] of collectArtifacts(payload.value)) observed.artifacts.set(id, parts);
  }
  if (payload?.$case === 'statusUpdate' && observed.task) {
    const status = payload.value.status;
    if (status?.state === TaskState.TASK_STATE_WORKING && status.message?.metadata?.delta === true)
      turn.onDelta?.(textOf(status.message));
    else if (status) observed.task = { ...observed.task, status };
  }
  if (payload?.$case === 'artifactUpdate' && payload.value.artifact) {
    const { artifact, append } = payload.value;
    const parts = artifact.parts.map(fromA2aPart).filter((part): part is Part => !!part);
    observed.artifacts.set(artifact.artifactId, [
      ...(append ? (observed.artifacts.get(artifact.artifactId) ?? []) : []),
      ...parts,
    ]);
    const text = textOf({ parts: artifact.parts });
    if (text) turn.onDelta?.(text);
  }
}

function collectArtifacts(task: Task): Map<string, Part[]> {
  return new Map(
    (task.artifacts ?? []).map((a) => [a.artifactId, a.parts.map(fromA2aPart).filter((part): part is Part => !!part)]),
  );
}

function isSettledState(task: Task): boolean {
  const state = task.status?.state;
  return (
    isTerminalState(state) ||
    state === TaskState.TASK_STATE_INPUT_REQUIRED ||
    state === TaskState.TASK_STATE_AUTH_REQUIRED
  );
}

function lastAgentMessage(task: Task): Message | undefined {
  return [...(task.history ?? [])].reverse().find((m) => m.role === Role.ROLE_AGENT);
}

function answerParts(candidates: (Message | undefined)[]): Part[] {
  const message = candidates.find((m) => m && m.parts.length > 0);
  const parts = (message?.parts ?? []).map(fromA2aPart).filter((part): part is Part => !!part);
  if (parts.length === 0) throw new AgentError('remote agent finished without an answer');
  return parts;
}

function textOf(message: Pick<Message, 'parts'> | undefined): string {
  return (message?.parts ?? []).map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');
}

/** Network trouble and 408/429/5xx answers are transient (the worker retries); protocol errors are not. */
function toAgentError(error: unknown, signal?: AbortSignal): Error {
  if (error instanceof AgentError || signal?.aborted) return error as Error;
  const message = errorMessage(error);
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  const status =
    typeof statusCode === 'number' ? statusCode : Number(/(?:Status:\s*|:\s)(\d{3})(?=\s|\.|$)/.exec(message)?.[1]);
  const transient = status ? RETRYABLE_STATUS.has(status) : !(error instanceof A2AError);
  return new AgentError(`remote A2A agent: ${message.slice(0, 300)}`, transient);
}
