import type { components } from './generated/api.js';

type Schemas = components['schemas'];

export type Session = Schemas['SessionDto'];
export type SessionPage = Schemas['SessionPageDto'];
export type CreateSessionBody = Schemas['CreateSessionDto'];
export type UpdateSessionBody = Schemas['UpdateSessionDto'];
export type Event = Schemas['EventDto'];
export type EventPage = Schemas['EventPageDto'];
export type Part = Event['parts'][number];
export type AppendEventBody = Schemas['AppendEventDto'];
export type AppendResult = Schemas['AppendResultDto'];
export type Task = Schemas['TaskDto'];
export type TaskPage = Schemas['TaskPageDto'];
export type ChainReport = Schemas['ChainReportDto'];

export type JsonObject = { [key: string]: unknown };

/** A step of a turn (docs/agents.md): what the agent did on its way to the answer. */
export type Step =
  | { kind: 'tool_call'; callId: string; name: string; arguments: unknown; metadata?: JsonObject }
  | { kind: 'tool_result'; callId: string; output: Part[]; isError?: boolean; metadata?: JsonObject }
  | { kind: 'message'; parts: Part[]; metadata?: JsonObject };

export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
  model?: string;
}

export interface Artifact {
  artifactId: string;
  name: string;
  description?: string;
  parts: Part[];
}

/** POST /v1/sessions/:id/turns: a whole turn the agent already ran in the caller's process. */
export interface RecordTurnBody {
  /** the caller's idempotency key, unique per session */
  turnId: string;
  input: { parts: Part[]; metadata?: JsonObject };
  steps?: Step[];
  output: { parts: Part[]; metadata?: JsonObject; status?: 'completed' | 'input_required' };
  usage?: Usage;
  statePatch?: JsonObject;
  artifacts?: Artifact[];
  endSession?: boolean;
}

export interface RecordTurnResult {
  task: Task;
  /** trigger, steps, state, artifacts, answer, in seq order */
  events: Event[];
}

export interface HistoryPage {
  items: Event[];
  nextCursor: string | null;
}

export interface HistoryEdit {
  event: Event;
}

export interface Reverted extends HistoryEdit {
  removed: Event[];
}

export interface ClaimBody {
  waitMs?: number;
  limit?: number;
  leaseMs?: number;
  historyLimit?: number;
}

/** A task claimed by a pull worker, with what it needs to run the turn. */
export interface Claim {
  leaseId: string;
  leaseExpiresAt: string;
  attempt: number;
  task: Task;
  trigger: Event;
  /** with `state` = the merged scoped state (session keys, `user:…`, `app:…`) */
  session: Session;
  /** the last events of the effective history before the trigger, oldest first */
  history: Event[];
}

/** The reply that settles a claimed task: `parts` (an answer) or `error` (a failure). */
export interface TaskResult {
  parts?: Part[];
  status?: 'completed' | 'input_required';
  usage?: Usage;
  steps?: Step[];
  statePatch?: JsonObject;
  artifacts?: Artifact[];
  endSession?: boolean;
  error?: { message: string; retryable?: boolean };
}

/** What GET /v1/sessions/:id/stream sends. */
export type StreamMessage =
  | { event: 'session.event'; id?: string; data: Event }
  | { event: 'task.status'; id?: string; data: Task }
  | { event: 'message.delta'; id?: string; data: { taskId: string; index: number; text: string } }
  | { event: string; id?: string; data: unknown };
