import type { Message } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { plainToInstance } from 'class-transformer';
import { isUUID, validateSync, type ValidationError } from 'class-validator';
import { isJsonObject, type JsonObject } from '../platform/json/json.js';
import { AppendEventDto } from '../conversation/http/dto/append-event.dto.js';
import type { Part } from '../conversation/records/event.record.js';
import { fromA2aPart } from '../conversation/records/a2a-parts.js';
import { A2A_MESSAGE_ID_KEY } from './a2a-message.mapper.js';

function problems(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => [...Object.values(error.constraints ?? {}), ...problems(error.children ?? [])]);
}

/**
 * An incoming A2A user message as the body `POST /v1/sessions/:id/events` takes, validated by the same rules.
 * A UUID messageId becomes the event id (a resend of the same message is then a retry, as on REST); any other
 * messageId is kept in the event's metadata so the message reads back with the id the client gave it.
 */
export function toAppendInput(message: Message): AppendEventDto {
  const parts = (message.parts ?? []).map(fromA2aPart);
  if (parts.some((part) => part === undefined))
    throw new RequestMalformedError('every message part needs text, data, a url or bytes');
  const metadata: JsonObject = isJsonObject(message.metadata) ? { ...message.metadata } : {};
  const uuid = isUUID(message.messageId ?? '');
  if (!uuid && message.messageId) metadata[A2A_MESSAGE_ID_KEY] = message.messageId;
  const plain = { ...(uuid ? { id: message.messageId } : {}), parts: parts as Part[], metadata };
  const input = plainToInstance(AppendEventDto, plain);
  const errors = validateSync(input, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) throw new RequestMalformedError(`invalid message: ${problems(errors).join('; ')}`);
  return input;
}
