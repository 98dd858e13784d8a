import type { Part } from '../../conversation/records/event.record.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../platform/json/json.js';
import { AgentError, type AgentArtifact, type AgentReply, type AgentStep } from './agent.interface.js';

/** An agent's answer as it arrives as JSON (an HTTP agent's reply, a pull worker's result), not yet checked. */
export interface AgentAnswer {
  parts?: unknown;
  usage?: AgentReply['usage'];
  status?: unknown;
  endSession?: unknown;
  steps?: unknown;
  statePatch?: JsonValue;
  artifacts?: unknown;
}

/**
 * Checks of the turn-record fields an HTTP agent sends (`steps`, `statePatch`, `artifacts`, and the live `step`
 * and `artifact` events); a malformed one fails the task with a reason that names the field.
 */
export function isPart(part: unknown): part is Part {
  if (!isJsonObject(part)) return false;
  return (part.kind === 'text' && typeof part.text === 'string') || (part.kind === 'data' && isJsonObject(part.data));
}

function isParts(value: unknown): value is Part[] {
  return Array.isArray(value) && value.every(isPart);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200;
}

export function parseStep(value: unknown, where: string): AgentStep {
  const step = isJsonObject(value) ? value : {};
  if (step.kind === 'tool_call' && isId(step.callId) && isId(step.name) && step.arguments !== undefined) {
    return { kind: 'tool_call', callId: step.callId, name: step.name, arguments: step.arguments };
  }
  if (step.kind === 'tool_result' && isId(step.callId) && isParts(step.output)) {
    if (step.isError !== undefined && typeof step.isError !== 'boolean') {
      throw new AgentError(`${where}: "isError" must be a boolean`);
    }
    return { kind: 'tool_result', callId: step.callId, output: step.output, isError: step.isError === true };
  }
  if (step.kind === 'message' && isParts(step.parts) && step.parts.length > 0) {
    return { kind: 'message', parts: step.parts };
  }
  throw new AgentError(
    `${where} must be {kind:"tool_call",callId,name,arguments}, {kind:"tool_result",callId,output:[parts]} ` +
      'or {kind:"message",parts:[parts]}',
  );
}

export function parseArtifact(value: unknown, where: string): AgentArtifact {
  const artifact = isJsonObject(value) ? value : {};
  const description = artifact.description;
  if (
    !isId(artifact.artifactId) ||
    !isId(artifact.name) ||
    (description !== undefined && typeof description !== 'string') ||
    !isParts(artifact.parts) ||
    artifact.parts.length === 0
  ) {
    throw new AgentError(`${where} must be {artifactId, name, description?, parts:[parts]}`);
  }
  return { artifactId: artifact.artifactId, name: artifact.name, description, parts: artifact.parts };
}

export function parseList<T>(value: unknown, field: string, parse: (item: unknown, where: string) => T): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new AgentError(`agent answer "${field}" must be an array`);
  return value.map((item, i) => parse(item, `agent answer "${field}[${i}]"`));
}

export function parseStatePatch(value: JsonValue | undefined): JsonObject | undefined {
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) throw new AgentError('agent answer "statePatch" must be a JSON object (a merge patch)');
  return value;
}

/** The reply an answer stands for; a malformed field throws an AgentError that names it. */
export function parseAgentAnswer(answer: AgentAnswer): AgentReply {
  if (!Array.isArray(answer.parts) || answer.parts.length === 0 || !answer.parts.every(isPart)) {
    throw new AgentError('agent answer must have a non-empty "parts" array of text/data parts');
  }
  if (answer.status !== undefined && answer.status !== 'completed' && answer.status !== 'input_required') {
    throw new AgentError('agent answer "status" must be "completed" or "input_required"');
  }
  if (answer.endSession !== undefined && typeof answer.endSession !== 'boolean') {
    throw new AgentError('agent answer "endSession" must be a boolean');
  }
  return {
    parts: answer.parts,
    usage: answer.usage,
    status: answer.status,
    endSession: answer.endSession === true,
    steps: parseList(answer.steps, 'steps', parseStep),
    statePatch: parseStatePatch(answer.statePatch),
    artifacts: parseList(answer.artifacts, 'artifacts', parseArtifact),
  };
}
