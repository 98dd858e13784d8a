import type { JsonObject } from '../../platform/json/json.js';
import type { EventRecord, Part } from '../../conversation/records/event.record.js';
import type { TurnArtifact, TurnStep } from '../../conversation/records/turn-step.record.js';

export type AgentStep = TurnStep;
export type AgentArtifact = TurnArtifact;

export interface AgentSessionView {
  id: string;
  userId: string;
  agentId: string;
  state: JsonObject;
  metadata: JsonObject;
  /** what this agent asked to remember after its previous turn (AgentReply.agentContext), if anything */
  agentContext?: JsonObject | null;
}

/** Everything an agent is given for one turn. */
export interface AgentTurn {
  session: AgentSessionView;
  /** Recent events before this turn's event, oldest first (at most the configured window). */
  history: EventRecord[];
  /** The user event this turn answers. */
  event: EventRecord;
  /** 1 for the session's first user message, 2 for the second, … */
  turn: number;
  /** Aborted on timeout, cancellation or shutdown; agents must stop work when it fires. */
  signal: AbortSignal;
  /** Streaming agents report text as it is produced; only the final reply is stored. */
  onDelta?: (text: string) => void;
  /** Agents report each step (tool call, tool result, intermediate message) as it happens; it is stored at once. */
  onStep?: (step: AgentStep) => Promise<void>;
}

export interface AgentUsage {
  promptTokens?: number;
  completionTokens?: number;
  model?: string;
}

export interface AgentReply {
  parts: Part[];
  usage?: AgentUsage;
  /** `input_required`: the reply is a question and the task waits for the user's next message. */
  status?: 'completed' | 'input_required';
  /** with status `completed`: the agent finished the conversation (the session becomes `completed`) */
  endSession?: boolean;
  /** steps not reported through onStep, in order; stored before the answer */
  steps?: AgentStep[];
  /** JSON merge patch to the session state, applied with the answer */
  statePatch?: JsonObject;
  /** the task's artifacts, stored with the answer */
  artifacts?: AgentArtifact[];
  /** what the agent needs to remember for the session's next turn; stored with the answer, given back next turn */
  agentContext?: JsonObject;
}

export interface AgentDescriptor {
  id: string;
  kind: string;
  name: string;
  description: string;
  streaming: boolean;
  /** the model it asks, when it is one (for traces) */
  model?: string;
}

/** One conversational agent. Implementations must be safe to call concurrently for different sessions. */
export interface Agent {
  readonly descriptor: AgentDescriptor;
  run(turn: AgentTurn): Promise<AgentReply>;
  /** releases connections the agent keeps (MCP clients, child processes) at shutdown */
  close?(): Promise<void>;
}

/** An agent failure. Transient ones (timeouts, 5xx, connection resets) are retried with backoff. */
export class AgentError extends Error {
  /** remembered for the session's next turn even though this one failed (see AgentReply.agentContext) */
  agentContext?: JsonObject;

  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}
