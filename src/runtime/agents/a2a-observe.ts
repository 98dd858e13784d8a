import { TaskState, type Artifact, type Message, type StreamResponse, type Task } from '@a2a-js/sdk';
import { fromA2aPart } from '../../conversation/records/a2a-parts.js';
import type { Part } from '../../conversation/records/event.record.js';
import type { AgentArtifact, AgentTurn } from './agent.interface.js';

/** What a remote turn produced so far (from a blocking answer, stream events or polling). */
export interface Observed {
  task?: Task;
  message?: Message;
  artifacts: Map<string, AgentArtifact>;
  /** ids of the remote's intermediate messages already recorded as steps */
  stepped: Set<string>;
}

/**
 * Applies one stream event. `working` updates flagged as deltas are streamed on as text; other `working` updates
 * with a message are the remote's intermediate messages, recorded as steps; artifacts are collected (and their
 * text streamed on).
 */
export async function observe(observed: Observed, event: StreamResponse, turn: AgentTurn): Promise<void> {
  const payload = event.payload;
  if (payload?.$case === 'message') observed.message = payload.value;
  if (payload?.$case === 'task') {
    observed.task = payload.value;
    for (const [id, artifact] of collectArtifacts(payload.value)) observed.artifacts.set(id, artifact);
  }
  if (payload?.$case === 'statusUpdate' && observed.task) {
    const status = payload.value.status;
    if (status?.state === TaskState.TASK_STATE_WORKING && status.message?.metadata?.delta === true)
      turn.onDelta?.(textOf(status.message));
    else if (status?.state === TaskState.TASK_STATE_WORKING) await recordProgress(status.message, turn, observed);
    else if (status) observed.task = { ...observed.task, status };
  }
  if (payload?.$case === 'artifactUpdate' && payload.value.artifact) {
    const { artifact, append } = payload.value;
    const earlier = append ? (observed.artifacts.get(artifact.artifactId)?.parts ?? []) : [];
    observed.artifacts.set(artifact.artifactId, { ...toArtifact(artifact), parts: [...earlier, ...toParts(artifact)] });
    const text = textOf({ parts: artifact.parts });
    if (text) turn.onDelta?.(text);
  }
}

/** A remote intermediate message (once per message id) as a `message` step. */
export async function recordProgress(message: Message | undefined, turn: AgentTurn, observed: Observed): Promise<void> {
  const parts = message ? toParts(message) : [];
  if (!message || parts.length === 0 || observed.stepped.has(message.messageId)) return;
  observed.stepped.add(message.messageId);
  await turn.onStep?.({ kind: 'message', parts });
}

export function toParts(holder: Pick<Message, 'parts'>): Part[] {
  return holder.parts.map(fromA2aPart).filter((part): part is Part => !!part);
}

function toArtifact(artifact: Artifact): AgentArtifact {
  return {
    artifactId: artifact.artifactId,
    name: artifact.name || artifact.artifactId,
    ...(artifact.description ? { description: artifact.description } : {}),
    parts: toParts(artifact),
  };
}

export function collectArtifacts(task: Task): Map<string, AgentArtifact> {
  return new Map((task.artifacts ?? []).map((a) => [a.artifactId, toArtifact(a)]));
}

export function textOf(message: Pick<Message, 'parts'> | undefined): string {
  return (message?.parts ?? []).map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');
}
