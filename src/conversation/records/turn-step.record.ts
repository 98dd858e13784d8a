import type { JsonObject, JsonValue } from '../../platform/json/json.js';
import type { EventRole, EventType, Part } from './event.record.js';

/** One thing an agent did on its way to the answer; each is stored as its own event of the task. */
export type TurnStep =
  | { kind: 'tool_call'; callId: string; name: string; arguments: JsonValue }
  | { kind: 'tool_result'; callId: string; output: Part[]; isError?: boolean }
  | { kind: 'message'; parts: Part[] };

/** A deliverable of the task (A2A artifact), stored as an `artifact` event with the answer. */
export interface TurnArtifact {
  artifactId: string;
  name: string;
  description?: string;
  parts: Part[];
}

/** How a step is stored: its event type, role, parts and metadata (the attempt is added by the store). */
export function stepEvent(step: TurnStep): { type: EventType; role: EventRole; parts: Part[]; metadata: JsonObject } {
  switch (step.kind) {
    case 'tool_call':
      return {
        type: 'tool_call',
        role: 'agent',
        parts: [{ kind: 'data', data: { name: step.name, arguments: step.arguments } }],
        metadata: { callId: step.callId, name: step.name },
      };
    case 'tool_result':
      return {
        type: 'tool_result',
        role: 'tool',
        parts: step.output,
        metadata: { callId: step.callId, ...(step.isError ? { isError: true } : {}) },
      };
    case 'message':
      return { type: 'message', role: 'agent', parts: step.parts, metadata: {} };
  }
}

export function artifactMetadata(artifact: TurnArtifact): JsonObject {
  return {
    artifactId: artifact.artifactId,
    name: artifact.name,
    ...(artifact.description === undefined ? {} : { description: artifact.description }),
  };
}
