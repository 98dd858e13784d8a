import { getSchemaPath, type ContentObject, type SchemaObject } from '@nestjs/swagger';
import { EventDto } from '../../../conversation/http/dto/event.dto.js';
import { SessionDto } from '../../../conversation/http/dto/session.dto.js';
import { TASK_STATUSES } from '../../../conversation/records/task.record.js';
import { AnnotationDto } from '../../annotations/dto/annotation.dto.js';

const TASK_STATUS: SchemaObject = {
  type: 'string',
  enum: [...TASK_STATUSES],
  nullable: true,
  description: 'status of the task the event belongs to',
};

/** The media types of a transcript, one per ?format= (see transcript-formats.ts); register SessionDto, EventDto and AnnotationDto. */
export const TRANSCRIPT_CONTENT: ContentObject = {
  'application/json': {
    schema: {
      type: 'object',
      required: ['session', 'events', 'annotations'],
      properties: {
        session: { $ref: getSchemaPath(SessionDto) },
        events: {
          type: 'array',
          items: {
            allOf: [{ $ref: getSchemaPath(EventDto) }, { type: 'object', properties: { taskStatus: TASK_STATUS } }],
          },
        },
        annotations: {
          type: 'array',
          description: "reviewers' notes and labels (the owner's export: only the shared ones)",
          items: { $ref: getSchemaPath(AnnotationDto) },
        },
      },
    },
  },
  'application/x-ndjson': {
    schema: {
      type: 'string',
      description:
        'one JSON object a line: first {kind: "session", …the session}, then {kind: "event", …an event, taskStatus}, then {kind: "annotation", …an annotation}',
    },
  },
  'text/markdown': {
    schema: {
      type: 'string',
      description: 'a heading with the session, one quote per event, then an Annotations section (if any)',
    },
  },
  'text/csv': {
    schema: {
      type: 'string',
      description:
        'RFC 4180, CRLF; columns seq, created_at, role, type, text, task_id, task_status, model, prompt_tokens, completion_tokens, cost_usd, step_name, parent_id, author, labels; annotations follow the events as rows of type "annotation" (role: the author\'s role)',
    },
  },
};
