import { toEventDto } from '../../conversation/http/dto/event.dto.js';
import { isEventStream, parseJson, postToAgent, sseMessages } from './agent-http.js';
import { optionalHeaders, requireString, type AgentConfigEntry } from '../../platform/config/agent-config.js';
import {
  AgentError,
  type Agent,
  type AgentArtifact,
  type AgentDescriptor,
  type AgentReply,
  type AgentTurn,
} from './agent.interface.js';
import { parseAgentAnswer, parseArtifact, parseStep, type AgentAnswer } from './reply-records.js';

/**
 * An agent behind any HTTP endpoint: POSTs `{session, history, event, turn}` and takes `{parts, usage?, status?}`
 * back as JSON, or as Server-Sent Events (`delta` events with `{text}`, `step` and `artifact` events as they
 * happen, then one `result` event) when it streams. A reply may carry `steps`, `statePatch` and `artifacts`.
 */
export class HttpAgent implements Agent {
  readonly descriptor: AgentDescriptor;
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(entry: AgentConfigEntry) {
    this.url = requireString(entry, 'url');
    this.headers = optionalHeaders(entry);
    this.descriptor = {
      id: entry.id,
      kind: 'http',
      name: entry.name ?? entry.id,
      description: entry.description ?? `HTTP agent at ${new URL(this.url).host}`,
      streaming: entry.streaming === true,
    };
  }

  async run(turn: AgentTurn): Promise<AgentReply> {
    const res = await postToAgent({
      url: this.url,
      headers: this.headers,
      signal: turn.signal,
      stream: this.descriptor.streaming,
      body: {
        session: turn.session,
        history: turn.history.map(toEventDto),
        event: toEventDto(turn.event),
        turn: turn.turn,
      },
    });
    if (!isEventStream(res)) return parseAgentAnswer(parseJson<AgentAnswer>(await res.text(), 'agent answer'));
    const artifacts: AgentArtifact[] = [];
    for await (const message of sseMessages(res)) {
      if (message.event === 'delta')
        turn.onDelta?.(deltaText(parseJson<{ text?: unknown }>(message.data, 'delta').text));
      if (message.event === 'step') await turn.onStep?.(parseStep(parseJson(message.data, 'step'), 'agent step'));
      if (message.event === 'artifact') artifacts.push(parseArtifact(parseJson(message.data, 'artifact'), 'artifact'));
      if (message.event === 'result') {
        const reply = parseAgentAnswer(parseJson<AgentAnswer>(message.data, 'agent result'));
        return { ...reply, artifacts: [...artifacts, ...(reply.artifacts ?? [])] };
      }
      if (message.event === 'error') throw new AgentError(`agent reported an error: ${message.data.slice(0, 300)}`);
    }
    throw new AgentError('agent stream ended without a result', true);
  }
}

/** A delta's text; the protocol sends strings, and a number is taken as written. */
function deltaText(text: unknown): string {
  return typeof text === 'string' || typeof text === 'number' ? String(text) : '';
}
