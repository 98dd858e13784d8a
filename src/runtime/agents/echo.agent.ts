import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventText, type Part } from '../../conversation/records/event.record.js';
import { isJsonObject, type JsonValue } from '../../platform/json/json.js';
import {
  AgentError,
  type Agent,
  type AgentDescriptor,
  type AgentReply,
  type AgentStep,
  type AgentTurn,
} from './agent.interface.js';

const SLEEP_LIMIT_MS = 60_000;

/**
 * The built-in deterministic agent. It repeats the user's text with the turn number and what the user said
 * the turn before, which shows that history reaches agents. A few commands exercise the other outcomes:
 * `/fail <reason>` fails the task, `/ask <question>` asks for input, `/sleep <ms> [text]` answers late,
 * `/done [text]` answers and ends the conversation (the session becomes `completed`). Turn records:
 * `/tool <name> <json>` reports a tool call and its result (which echoes the arguments; an error result when
 * they hold `"fail": true`), `/set key=value`
 * patches the session state, `/artifact <name> <text>` delivers an artifact.
 */
export class EchoAgent implements Agent {
  readonly descriptor: AgentDescriptor;

  /** `sleepMs`: answer every message that late, as if it began with `/sleep <sleepMs>` (a slow agent for tests). */
  constructor(
    id = 'echo',
    name = 'Echo',
    description = 'Deterministic agent that echoes the conversation back.',
    private readonly sleepMs = 0,
  ) {
    this.descriptor = { id, kind: 'echo', name, description, streaming: true };
  }

  async run(turn: AgentTurn): Promise<AgentReply> {
    const written = describe(turn.event.parts);
    const text = this.sleepMs > 0 && !written.startsWith('/') ? `/sleep ${this.sleepMs} ${written}` : written;
    const record = await recordCommand(text, turn);
    if (record) return record;
    const command = /^\/(fail|ask|sleep|done)\b\s*(.*)$/s.exec(text);
    if (command?.[1] === 'fail') throw new AgentError(command[2] || 'the echo agent was asked to fail');
    if (command?.[1] === 'ask') {
      return { parts: [{ kind: 'text', text: command[2] || 'Could you tell me more?' }], status: 'input_required' };
    }
    if (command?.[1] === 'done') {
      return { parts: [{ kind: 'text', text: command[2] || 'Goodbye.' }], status: 'completed', endSession: true };
    }
    let said = text;
    if (command?.[1] === 'sleep') {
      const [, ms, rest] = /^(\d+)\s*(.*)$/s.exec(command[2]) ?? [];
      await sleep(Math.min(Number(ms) || 0, SLEEP_LIMIT_MS), undefined, { signal: turn.signal });
      said = rest ?? '';
    }
    const reply = this.compose(said, turn);
    for (const word of reply.split(/(?<= )/)) turn.onDelta?.(word);
    return {
      parts: [{ kind: 'text', text: reply }],
      usage: { promptTokens: countWords(said), completionTokens: countWords(reply), model: 'echo' },
    };
  }

  private compose(text: string, turn: AgentTurn): string {
    const previous = [...turn.history].reverse().find((e) => e.role === 'user' && e.type === 'message');
    const before = previous ? `Before that you said: "${describe(previous.parts)}".` : 'This is your first message.';
    return `Echo (turn ${turn.turn}): ${text}\n${before}`;
  }
}

/** `/tool`, `/set` and `/artifact`: the reply that carries the step, state patch or artifact; else undefined. */
async function recordCommand(text: string, turn: AgentTurn): Promise<AgentReply | undefined> {
  const command = /^\/(tool|set|artifact)\s+(\S+)\s*(.*)$/s.exec(text);
  if (!command) return undefined;
  const [, name, head, rest] = command;
  const reply = (said: string): Part[] => [{ kind: 'text', text: said }];
  if (name === 'set') {
    const [key, ...value] = `${head}${rest ? ` ${rest}` : ''}`.split('=');
    if (!key || value.length === 0) throw new AgentError('usage: /set key=value');
    return { parts: reply(`State ${key} set.`), statePatch: { [key]: value.join('=') } };
  }
  if (name === 'artifact') {
    const artifact = { artifactId: randomUUID(), name: head, parts: reply(rest) };
    return { parts: reply(`Artifact ${head} delivered.`), artifacts: [artifact] };
  }
  const args = parseArguments(rest);
  const callId = randomUUID();
  const steps: AgentStep[] = [
    { kind: 'tool_call', callId, name: head, arguments: args },
    {
      kind: 'tool_result',
      callId,
      output: reply(JSON.stringify(args)),
      isError: isJsonObject(args) && args.fail === true,
    },
  ];
  if (!turn.onStep) return { parts: reply(`Tool ${head} called.`), steps };
  for (const step of steps) await turn.onStep(step);
  return { parts: reply(`Tool ${head} called.`) };
}

function parseArguments(text: string): JsonValue {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new AgentError('usage: /tool <name> <json arguments>');
  }
}

/** What the user said: the text parts, or the data parts as JSON when there is no text. */
function describe(parts: Part[]): string {
  const text = eventText(parts).trim();
  if (text) return text;
  return parts
    .filter((part): part is Extract<Part, { kind: 'data' }> => part.kind === 'data')
    .map((part) => JSON.stringify(part.data))
    .join(' ');
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
