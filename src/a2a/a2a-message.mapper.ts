import {
  Role,
  TaskState,
  type Artifact,
  type Message,
  type Task,
  type TaskArtifactUpdateEvent,
  type TaskStatusUpdateEvent,
} from '@a2a-js/sdk';
import { toA2aPart } from '../conversation/records/a2a-parts.js';
import type { JsonObject } from '../platform/json/json.js';
import type { EventRecord } from '../conversation/records/event.record.js';
import type { TaskRecord, TaskStatus } from '../conversation/records/task.record.js';

/** Event metadata key that keeps a client's A2A messageId when it is not a UUID (UUIDs become the event id). */
export const A2A_MESSAGE_ID_KEY = 'a2aMessageId';

const STATE_BY_STATUS: Record<TaskStatus, TaskState> = {
  submitted: TaskState.TASK_STATE_SUBMITTED,
  working: TaskState.TASK_STATE_WORKING,
  input_required: TaskState.TASK_STATE_INPUT_REQUIRED,
  completed: TaskState.TASK_STATE_COMPLETED,
  failed: TaskState.TASK_STATE_FAILED,
  canceled: TaskState.TASK_STATE_CANCELED,
};

/** Statuses whose task status carries the agent's message (its answer, question or error). */
const ANSWERED: readonly TaskStatus[] = ['input_required', 'completed', 'failed'];

export function toTaskState(status: TaskStatus): TaskState {
  return STATE_BY_STATUS[status];
}

/** The service's status for an A2A state; undefined for states it never uses (auth-required, unspecified). */
export function fromTaskState(state: TaskState): TaskStatus | undefined {
  return (Object.keys(STATE_BY_STATUS) as TaskStatus[]).find((status) => STATE_BY_STATUS[status] === state);
}

/** A stored message event as an A2A message (contextId = session id, taskId = task id). */
export function toA2aMessage(event: EventRecord): Message {
  const { [A2A_MESSAGE_ID_KEY]: clientId, ...metadata } = event.metadata;
  return {
    messageId: typeof clientId === 'string' ? clientId : event.id,
    contextId: event.sessionId,
    taskId: event.taskId ?? '',
    role: event.role === 'user' ? Role.ROLE_USER : Role.ROLE_AGENT,
    parts: event.parts.map(toA2aPart),
    metadata,
    extensions: [],
    referenceTaskIds: [],
  };
}

/**
 * A stored task as an A2A task: its history is every message event carrying its id (user messages and
 * answers, in order); its status carries the latest answer, question or error once there is one.
 */
export function toA2aTask(task: TaskRecord, taskEvents: EventRecord[]): Task {
  const history = taskEvents
    .filter((e) => e.type === 'message' && (e.role === 'user' || e.role === 'agent'))
    .map(toA2aMessage);
  return {
    id: task.id,
    contextId: task.sessionId,
    status: toA2aStatus(task, taskEvents),
    artifacts: taskEvents.filter((e) => e.type === 'artifact').map(toA2aArtifact),
    history,
    metadata: { agentId: task.agentId, turn: task.turn, ...(task.error ? { error: task.error } : {}) },
  };
}

/** A stored `artifact` event as an A2A artifact (its id, name and description are in the event's metadata). */
export function toA2aArtifact(event: EventRecord): Artifact {
  const { artifactId, name, description } = event.metadata;
  return {
    artifactId: typeof artifactId === 'string' ? artifactId : event.id,
    name: typeof name === 'string' ? name : '',
    description: typeof description === 'string' ? description : '',
    parts: event.parts.map(toA2aPart),
    metadata: { eventId: event.id, seq: event.seq },
    extensions: [],
  };
}

export function toA2aStatus(task: TaskRecord, taskEvents: EventRecord[]): Task['status'] {
  const response = ANSWERED.includes(task.status) ? taskEvents.find((e) => e.id === task.responseEventId) : undefined;
  return {
    state: toTaskState(task.status),
    message: response && toA2aMessage(response),
    timestamp: task.updatedAt.toISOString(),
  };
}

export function statusUpdate(task: Task, metadata: JsonObject = {}): TaskStatusUpdateEvent {
  return { taskId: task.id, contextId: task.contextId, status: task.status, metadata };
}

/** A stored step of a run as a live `working` update: its message is the step, `metadata.step` its type. */
export function stepUpdate(event: EventRecord): TaskStatusUpdateEvent {
  const message = toA2aMessage(event);
  message.metadata = { ...message.metadata, step: event.type, seq: event.seq };
  const status = { state: TaskState.TASK_STATE_WORKING, message, timestamp: event.createdAt.toISOString() };
  return { taskId: event.taskId ?? '', contextId: event.sessionId, status, metadata: { step: event.type } };
}

/** One stored artifact of a task, whole (not appended to an earlier one, and its last chunk). */
export function artifactUpdate(task: Task, artifact: Artifact): TaskArtifactUpdateEvent {
  return { taskId: task.id, contextId: task.contextId, artifact, append: false, lastChunk: true, metadata: {} };
}

/** A live status update: `working`, optionally with a streamed piece of the answer (not stored). */
export function workingUpdate(
  taskId: string,
  contextId: string,
  delta?: { index: number; text: string },
): TaskStatusUpdateEvent {
  const message: Message | undefined = delta && {
    messageId: `${taskId}:delta:${delta.index}`,
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts: [
      { content: { $case: 'text', value: delta.text }, metadata: undefined, filename: '', mediaType: 'text/plain' },
    ],
    metadata: { delta: true, index: delta.index },
    extensions: [],
    referenceTaskIds: [],
  };
  const status = { state: TaskState.TASK_STATE_WORKING, message, timestamp: new Date().toISOString() };
  return { taskId, contextId, status, metadata: delta ? { delta: true } : {} };
}
