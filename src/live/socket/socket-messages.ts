import { IsInt, Max, Min } from 'class-validator';
import { Errors } from '../../platform/errors/domain-error.js';
import { isJsonObject, type JsonObject } from '../../platform/json/json.js';
import { assertJsonBody } from '../../platform/http/request-text.middleware.js';

/** Client -> server: `{"type": "resume", "afterSeq": n}` (the `event` message is AppendEventDto plus its type). */
export class ResumeMessageDto {
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  afterSeq: number;
}

/** A client message: its `type` picks the handler, the other fields are the handler's body. */
export interface ClientMessage {
  type: string;
  body: JsonObject;
}

/**
 * Parses one frame as the HTTP pipeline parses a JSON body (the same errors for bad JSON, nesting, NUL and lone
 * surrogates), then splits off `type`. Text frames only; `ws` has already closed a socket whose text is not
 * UTF-8 (1007) or whose frame exceeds the size limit (1009).
 */
export function parseClientMessage(data: Buffer, isBinary: boolean): ClientMessage {
  if (isBinary) throw Errors.badRequest('message/binary_unsupported', 'send messages as JSON text frames');
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    throw Errors.badRequest('request/invalid_json', 'message is not valid JSON');
  }
  if (!isJsonObject(value) || typeof value.type !== 'string') {
    throw Errors.badRequest('message/invalid', 'a message is a JSON object with a string "type"');
  }
  assertJsonBody(value);
  const { type, ...body } = value;
  return { type, body };
}
