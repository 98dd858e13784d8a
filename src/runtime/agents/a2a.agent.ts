import { setTimeout as sleep } from 'node:timers/promises';
import { Role, TaskState, type AgentCard, type Message, type Task } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  RestTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import { A2AError } from '@a2a-js/sdk/errors';
import { isTerminalState, toA2aPart } from '../../conversation/records/a2a-parts.js';
import { collectArtifacts, observe, recordProgress, textOf, toParts, type Observed } from './a2a-observe.js';
import type { Part } from '../../conversation/records/event.record.js';
import { optionalHeaders, requireString, type AgentConfigEntry } from '../../platform/config/agent-config.js';
import { errorMessage } from '../../platform/errors/error-message.js';
import { currentTraceCarrier } from '../../platform/telemetry/tracing.js';
import {
  AgentError,
  type Agent,
  type AgentArtifact,
  type AgentDescriptor,
  type AgentReply,
  type AgentTurn,
} from './agent.interface.js';

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

const POLL_MS = 500;
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * An agent served by another A2A server (this service included), reached with @a2a-js/sdk's client. Config:
 * `url` (the agent card URL, ending in .json, or the agent's base URL, whose card is at
 * `<url>/.well-known/agent-card.json`; without a card, the URL itself is used as a JSON-RPC endpoint),
 * `token` (sent as `Authorization: Bearer`), `headers`, `streaming` (default true) and `transport`
 * (`JSONRPC` or `HTTP+JSON`, preferred when the card offers both). The remote contextId (and the remote task
 * that waits for input, if any) is the session's agent context: stored with each answer and given back on the
 * next turn, so the remote conversation continues on any instance and after a restart. The remote's
 * intermediate status messages become `message` steps as they arrive; its artifacts, the task's artifacts.
 */
export function createA2aAgent(entry: A2aAgentEntry, options: { timeoutMs: number }): Agent {
  return new A2aAgent(entry as AgentConfigEntry, options.timeoutMs);
}

class A2aAgent implements Agent {
  readonly descriptor: AgentDescriptor;
  private readonly url: string;
  private readonly fetchImpl: typeof fetch;
  private readonly preferred?: string;
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
      for (const [name, value] of Object.entries({ ...currentTraceCarrier(), ...headers })) merged.set(name, value);
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
    const remote = remoteOf(turn);
    const signal = AbortSignal.any([turn.signal, AbortSignal.timeout(this.timeoutMs)]);
    const message = this.outgoing(turn, remote);
    const observed: Observed = { artifacts: new Map(), stepped: new Set() };
    try {
      if (this.descriptor.streaming && card.capabilities?.streaming === true) {
        await this.stream(client, message, turn, signal, observed);
        await this.finalArtifacts(client, signal, observed);
      } else await this.send(client, message, signal, observed);
      if (observed.task && !isSettledState(observed.task))
        observed.task = await this.poll(client, observed.task.id, signal, turn, observed);
    } catch (error) {
      const running = observed.task && !isSettledState(observed.task) ? observed.task : undefined;
      if (signal.aborted && running)
        void client.cancelTask({ tenant: '', id: running.id, metadata: undefined }).catch(() => undefined);
      const failed = toAgentError(error, signal);
      // the remote task that waited for input is gone for us: the next turn starts a new one, same context
      if (remote?.pendingTaskId && failed instanceof AgentError) failed.agentContext = { contextId: remote.contextId };
      throw failed;
    }
    return this.reply(observed);
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
    for await (const event of client.sendMessageStream(request(message), { signal }))
      await observe(observed, event, turn);
  }

  /**
   * A stream need not carry every artifact as an update (this service's own A2A server lists them on the task
   * only): once the remote task completed, read it once for its artifacts. Best effort.
   */
  private async finalArtifacts(client: Client, signal: AbortSignal, observed: Observed): Promise<void> {
    if (observed.task?.status?.state !== TaskState.TASK_STATE_COMPLETED) return;
    const task = await client.getTask({ tenant: '', id: observed.task.id }, { signal }).catch(() => undefined);
    for (const [id, artifact] of task ? collectArtifacts(task) : []) observed.artifacts.set(id, artifact);
  }

  /** The stream or answer ended before the remote task settled: ask for it until it does. */
  private async poll(
    client: Client,
    taskId: string,
    signal: AbortSignal,
    turn: AgentTurn,
    observed: Observed,
  ): Promise<Task> {
    for (;;) {
      const task = await client.getTask({ tenant: '', id: taskId }, { signal });
      for (const [id, artifact] of collectArtifacts(task)) observed.artifacts.set(id, artifact);
      if (isSettledState(task)) return task;
      await recordProgress(task.status?.message, turn, observed);
      await sleep(POLL_MS, undefined, { signal });
    }
  }

  private reply(observed: Observed): AgentReply {
    if (observed.message) {
      const agentContext = { contextId: observed.message.contextId };
      return { parts: answerParts([observed.message]), status: 'completed', agentContext };
    }
    const task = observed.task;
    if (!task) throw new AgentError('remote agent answered with neither a message nor a task');
    const state = task.status?.state;
    const asks = state === TaskState.TASK_STATE_INPUT_REQUIRED;
    const agentContext = { contextId: task.contextId, ...(asks ? { pendingTaskId: task.id } : {}) };
    const text = textOf(task.status?.message);
    if (state === TaskState.TASK_STATE_FAILED || state === TaskState.TASK_STATE_REJECTED) {
      throw new AgentError(
        `remote agent ${state === TaskState.TASK_STATE_FAILED ? 'failed' : 'rejected the task'}${text ? `: ${text}` : ''}`,
      );
    }
    if (state === TaskState.TASK_STATE_CANCELED) throw new AgentError('remote task was canceled');
    if (state === TaskState.TASK_STATE_AUTH_REQUIRED)
      throw new AgentError('remote agent requires further authentication');
    const artifacts = asks ? [] : [...observed.artifacts.values()].filter((a) => a.parts.length > 0);
    // an agent that answers only with artifacts: their parts are the answer as well
    const parts = answerParts([task.status?.message, lastAgentMessage(task)], artifacts);
    return { parts, status: asks ? 'input_required' : 'completed', artifacts, agentContext };
  }
}

/** The remote conversation this session continues, from its stored agent context. */
function remoteOf(turn: AgentTurn): RemoteConversation | undefined {
  const context = turn.session.agentContext;
  if (typeof context?.contextId !== 'string' || !context.contextId) return undefined;
  const pendingTaskId = typeof context.pendingTaskId === 'string' ? context.pendingTaskId : undefined;
  return { contextId: context.contextId, ...(pendingTaskId ? { pendingTaskId } : {}) };
}

function request(message: Message) {
  return { tenant: '', message, configuration: undefined, metadata: undefined };
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

function answerParts(candidates: (Message | undefined)[], artifacts: AgentArtifact[] = []): Part[] {
  const message = candidates.find((m) => m && m.parts.length > 0);
  const parts = message ? toParts(message) : artifacts.flatMap((a) => a.parts);
  if (parts.length === 0) throw new AgentError('remote agent finished without an answer');
  return parts;
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
