import { Role, TaskState, type AgentCard, type Message } from '@a2a-js/sdk';
import {
  AgentEvent,
  DefaultRequestHandler,
  InMemoryTaskStore,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import { jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import express from 'express';
import { listenOnLoopback, type LoopbackServer } from './loopback-server.js';
import { randomUUID } from 'node:crypto';
import { textPart, userMessage } from './a2a-client.js';

/**
 * A remote A2A agent built with @a2a-js/sdk's server classes (JSON-RPC, no agent card: the a2a agent kind then
 * uses the URL as the endpoint). Each turn streams an intermediate `working` message, an artifact, then
 * completes with an answer that says which turn of its context this is. Records the contextId of every message.
 */
export class FakeA2aServer {
  readonly received: { contextId: string; text: string }[] = [];
  private readonly turns = new Map<string, number>();
  private server?: LoopbackServer;
  url = '';

  async start(): Promise<this> {
    const app = express();
    this.server = await listenOnLoopback(app);
    this.url = `${this.server.url}/jsonrpc`;
    const card = {
      name: 'Remote desk',
      description: 'fake',
      version: '1',
      provider: undefined,
      supportedInterfaces: [{ url: this.url, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' }],
      capabilities: { streaming: true, pushNotifications: false, extensions: [] },
      securitySchemes: {},
      securityRequirements: [],
      defaultInputModes: [],
      defaultOutputModes: [],
      skills: [],
      signatures: [],
    } as unknown as AgentCard;
    const executor = { execute: this.execute, cancelTask: async () => undefined };
    const requestHandler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
    app.use('/jsonrpc', jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication }));
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  private readonly execute = async (request: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId } = request;
    const text = request.userMessage.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');
    this.received.push({ contextId: request.userMessage.contextId, text });
    const turn = (this.turns.get(contextId) ?? 0) + 1;
    this.turns.set(contextId, turn);
    const say = (value: string): Message => userMessage(value, { role: Role.ROLE_AGENT, taskId, contextId });
    const status = (state: TaskState, message?: Message) => ({ state, message, timestamp: new Date().toISOString() });
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: status(TaskState.TASK_STATE_SUBMITTED),
        artifacts: [],
        history: [request.userMessage],
        metadata: undefined,
      }),
    );
    const update = (state: TaskState, message?: Message) =>
      AgentEvent.statusUpdate({ taskId, contextId, status: status(state, message), metadata: undefined });
    bus.publish(update(TaskState.TASK_STATE_WORKING, say(`Looking into: ${text}`)));
    const artifact = {
      artifactId: randomUUID(),
      name: 'findings',
      description: 'what the remote desk found',
      parts: [textPart(`findings for ${text}`)],
      metadata: undefined,
      extensions: [],
    };
    bus.publish(
      AgentEvent.artifactUpdate({ taskId, contextId, artifact, append: false, lastChunk: true, metadata: undefined }),
    );
    bus.publish(update(TaskState.TASK_STATE_COMPLETED, say(`Turn ${turn} of this context: done with ${text}`)));
    bus.finished();
  };
}
