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
// `arguments` is any JSON value; the document cannot say so (it reads as an empty object), hence the override.
export type Step =
  | (Omit<Schemas['ToolCallStepDto'], 'arguments'> & { arguments: unknown })
  | Schemas['ToolResultStepDto']
  | Schemas['MessageStepDto'];
export type Usage = Schemas['TurnUsageDto'];
export type Artifact = Schemas['TurnArtifactDto'];
/** POST /v1/sessions/:id/turns: a whole turn the agent already ran in the caller's process. */
export type RecordTurnBody = Omit<Schemas['RecordTurnDto'], 'steps'> & { steps?: Step[] };
/** The task (completed) and its events: trigger, steps, state, artifacts, answer, in seq order. */
export type RecordTurnResult = Schemas['RecordedTurnDto'];
export type HistoryPage = Schemas['HistoryPageDto'];
export type HistoryEdit = Schemas['HistoryEditDto'];
export type Reverted = Schemas['RevertedDto'];

export type ClaimBody = Schemas['ClaimTasksDto'];

/** A task claimed by a pull worker: the task, its trigger, the session (state merged with its user: and app:
 * scopes) and the effective history before the trigger, oldest first. */
export type Claim = Schemas['TaskClaimDto'];

/** The reply that settles a claimed task: `parts` (an answer) or `error` (a failure). */
export type TaskResult = Omit<Schemas['TaskResultDto'], 'leaseId' | 'steps' | 'artifacts'> & {
  steps?: Step[];
  artifacts?: Artifact[];
};

/** What GET /v1/sessions/:id/stream sends. */
export type StreamMessage =
  | { event: 'session.event'; id?: string; data: Event }
  | { event: 'task.status'; id?: string; data: Task }
  | { event: 'message.delta'; id?: string; data: { taskId: string; index: number; text: string } }
  | { event: string; id?: string; data: unknown };
