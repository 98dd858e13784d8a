import { eventJson } from '../../conversation/http/dto/event.dto.js';
import { eventText, streamedParts, type Part, type StreamedEvent } from '../../conversation/records/event.record.js';
import { toSessionDto } from '../../conversation/http/dto/session.dto.js';
import type { SessionRecord } from '../../conversation/records/session.record.js';
import type { TaskStatus } from '../../conversation/records/task.record.js';
import type { AnnotationRecord } from '../annotations/annotation.record.js';
import { toAnnotationDto } from '../annotations/dto/annotation.dto.js';

export const TRANSCRIPT_FORMATS = ['json', 'ndjson', 'markdown', 'csv'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

export interface TranscriptRow {
  event: StreamedEvent;
  /** status of the task the event belongs to, if any */
  taskStatus: TaskStatus | null;
}

/** Turns a session and its events into one export format, piece by piece, so nothing is held in memory. */
export interface TranscriptWriter {
  contentType: string;
  extension: string;
  begin(session: SessionRecord): string;
  /** a text, or its pieces (an event's JSON is spliced from the stored text, see eventJson) */
  row(row: TranscriptRow, first: boolean): string | string[];
  /** after the last event, before the first annotation (written even when there is none) */
  annotationsBegin(): string;
  annotation(annotation: AnnotationRecord, first: boolean): string;
  end(): string;
}

/** What a step or artifact names: a tool call's tool, a tool result's call id, an artifact's name. */
function stepName(event: StreamedEvent): string | null {
  const name = event.type === 'tool_result' ? event.metadata.callId : event.metadata.name;
  const named = event.type === 'tool_call' || event.type === 'tool_result' || event.type === 'artifact';
  return named && typeof name === 'string' ? name : null;
}

/** The event's JSON with its task's status and step name: `{...before, ...EventDto, taskStatus, stepName?}`. */
const withTask = (row: TranscriptRow, before?: object): string[] => {
  const name = stepName(row.event);
  const after = { taskStatus: row.taskStatus, ...(name === null ? {} : { stepName: name }) };
  return eventJson(row.event, { before, after });
};

const CSV_COLUMNS = [
  'seq',
  'created_at',
  'role',
  'type',
  'text',
  'task_id',
  'task_status',
  'model',
  'prompt_tokens',
  'completion_tokens',
  'cost_usd',
  'step_name',
  'parent_id',
  'author',
  'labels',
];

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. */
function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `text.replace(/^/gm, '> ')` as pieces that share the text's memory (an event's text may be megabytes). */
function quoted(text: string): string[] {
  const pieces = ['> '];
  let from = 0;
  for (const { index } of text.matchAll(/[\n\r\u2028\u2029]/g)) {
    pieces.push(text.slice(from, index + 1), '> ');
    from = index + 1;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/** Joins `fields` with `separator`, as pieces (no copy of a big field). */
function joined(fields: string[], separator: string): string[] {
  return fields.flatMap((field, i) => (i === 0 ? [field] : [separator, field]));
}

function readableParts(parts: Part[]): string {
  return parts
    .map((part) =>
      part.kind === 'text'
        ? part.text
        : part.kind === 'data'
          ? JSON.stringify(part.data)
          : `[file ${part.file.name ?? part.file.uri ?? ''}]`,
    )
    .join('\n');
}

const WRITERS: Record<TranscriptFormat, () => TranscriptWriter> = {
  json: () => ({
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
    begin: (session) => `{"session":${JSON.stringify(toSessionDto(session))},"events":[`,
    row: (row, first) => [first ? '\n' : ',\n', ...withTask(row)],
    annotationsBegin: () => '\n],"annotations":[',
    annotation: (a, first) => `${first ? '' : ','}\n${JSON.stringify(toAnnotationDto(a))}`,
    end: () => '\n]}\n',
  }),
  ndjson: () => ({
    contentType: 'application/x-ndjson; charset=utf-8',
    extension: 'ndjson',
    begin: (session) => `${JSON.stringify({ kind: 'session', ...toSessionDto(session) })}\n`,
    row: (row) => [...withTask(row, { kind: 'event' }), '\n'],
    annotationsBegin: () => '',
    annotation: (a) => `${JSON.stringify({ kind: 'annotation', ...toAnnotationDto(a) })}\n`,
    end: () => '',
  }),
  markdown: () => ({
    contentType: 'text/markdown; charset=utf-8',
    extension: 'md',
    begin: (s) =>
      `# ${s.name ?? 'Session'}\n\n- Session: \`${s.id}\`\n- User: ${s.userId}\n- Agent: ${s.agentId}\n- Status: ${s.status}\n` +
      `- Created: ${s.createdAt.toISOString()}\n- Events: ${s.eventCount}\n\n---\n`,
    row: ({ event, taskStatus }) => {
      const usage = event.usage
        ? ` · ${event.usage.model ?? ''} ${event.usage.promptTokens ?? 0}+${event.usage.completionTokens ?? 0} tokens`
        : '';
      const task = taskStatus && event.role !== 'user' ? ` · task ${taskStatus}` : '';
      const name = stepName(event);
      const step = `${name === null ? '' : ` ${name}`}${event.parentId ? ` · parent \`${event.parentId}\`` : ''}`;
      const parts = streamedParts(event);
      const body =
        event.type === 'message' || event.type === 'error'
          ? eventText(parts) || readableParts(parts)
          : readableParts(parts);
      const head = `\n**#${event.seq} ${event.role}** (${event.type}${step}, ${event.createdAt.toISOString()}${task}${usage})\n\n`;
      return [head, ...quoted(body), '\n'];
    },
    annotationsBegin: () => '',
    annotation: (a, first) => {
      const about = a.seq === null ? 'session' : `#${a.seq}`;
      const labels = a.labels.length ? ` · labels: ${a.labels.join(', ')}` : '';
      const head = `**Annotation on ${about}** (${a.authorId}, ${a.authorRole}, ${a.createdAt.toISOString()}${labels})`;
      return `${first ? '\n---\n\n## Annotations\n' : ''}\n${head}\n${a.text ? `\n${a.text.replace(/^/gm, '> ')}\n` : ''}`;
    },
    end: () => '',
  }),
  csv: () => ({
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    begin: () => `${CSV_COLUMNS.join(',')}\r\n`,
    row: ({ event, taskStatus }) => [
      ...joined(
        [
          event.seq,
          event.createdAt.toISOString(),
          event.role,
          event.type,
          readableParts(streamedParts(event)),
          event.taskId,
          taskStatus,
          event.usage?.model,
          event.usage?.promptTokens,
          event.usage?.completionTokens,
          event.usage?.costUsd,
          stepName(event),
          event.parentId,
          null,
          null,
        ].map(csvField),
        ',',
      ),
      '\r\n',
    ],
    annotationsBegin: () => '',
    annotation: (a) =>
      // prettier-ignore
      [a.seq, a.createdAt.toISOString(), a.authorRole, 'annotation', a.text, null, null, null, null, null, null, null, null, a.authorId, a.labels.join('; ')]
        .map(csvField)
        .join(',') + '\r\n',
    end: () => '',
  }),
};

export function transcriptWriter(format: TranscriptFormat): TranscriptWriter {
  return WRITERS[format]();
}
