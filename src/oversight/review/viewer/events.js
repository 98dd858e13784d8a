// Renders session events: user and agent messages as chat bubbles, steps as a trace, everything else as notes.
import { el, jsonBlock, timeEl } from './dom.js';
import { isStep, renderStep } from './steps.js';

const ROLE_LABELS = { user: 'User', agent: 'Agent', tool: 'Tool', system: 'System' };

/** How an event is shown: 'user' / 'agent' / 'tool' bubbles, or a centered 'note' for system, state and status events. */
export function eventKind(event) {
  if (event.type === 'state' || event.type === 'status' || event.role === 'system') return 'note';
  return event.role in ROLE_LABELS ? event.role : 'note';
}

/**
 * One <li> for an event; `task` is the task the event belongs to (if known), `session` names the speakers,
 * `parent` is the event a step hangs under (for its timing).
 */
export function renderEvent(event, { task, session, parent } = {}) {
  const step = isStep(event);
  const kind = step ? 'step' : eventKind(event);
  const item = el('li', {
    class: `event event--${kind}${event.type === 'error' ? ' event--error' : ''}`,
    id: `seq-${event.seq}`,
    tabindex: '-1',
    'data-seq': event.seq,
    'data-event-id': event.id,
    'data-type': event.type,
    'data-task-id': event.taskId ?? undefined,
  });
  if (step) item.append(renderStep(event, parent, renderPart, eventActions(event)));
  else item.append(kind === 'note' ? renderNote(event) : renderBubble(event, kind, task, session));
  return item;
}

/** "Copy link" and "Note" for an event (handled by the conversation view through data-action). */
export function eventActions(event) {
  return el(
    'span',
    { class: 'event-actions' },
    el(
      'button',
      { type: 'button', class: 'link-button', 'data-action': 'copy-link', 'data-seq': event.seq },
      'Copy link',
    ),
    el('button', { type: 'button', class: 'link-button', 'data-action': 'annotate', 'data-seq': event.seq }, 'Note'),
  );
}

function speaker(event, kind, session) {
  if (kind === 'user') return session ? `User · ${session.userId}` : 'User';
  if (kind === 'agent') return session ? `Agent · ${session.agentId}` : 'Agent';
  return ROLE_LABELS[kind];
}

function renderBubble(event, kind, task, session) {
  const label = `${ROLE_LABELS[kind]} ${event.type === 'error' ? 'error' : 'message'} #${event.seq}`;
  return el(
    'article',
    { class: 'bubble', 'aria-label': label },
    el(
      'header',
      { class: 'bubble-head' },
      el('span', { class: 'who' }, speaker(event, kind, session)),
      el('span', { class: 'seq', title: 'seq' }, `#${event.seq}`),
      timeEl(event.createdAt),
      eventActions(event),
    ),
    el('div', { class: 'parts' }, event.parts.map(renderPart)),
    kind === 'agent' && event.taskId ? renderTaskStatus(event, task) : null,
    event.usage ? renderUsage(event.usage) : null,
  );
}

/** What a history edit did to the effective history (the events it hides stay in this log). */
const HISTORY_EDITS = {
  revert: (event) => `removed ${event.parts[0]?.data?.items ?? 'the last'} item(s) from the effective history`,
  reset: () => 'cleared the effective history',
  compaction: (event) => `replaced the effective history up to #${event.metadata?.throughSeq} by this summary:`,
};

function renderNote(event) {
  const edit = HISTORY_EDITS[event.type];
  if (edit) return renderEdit(event, edit(event), event.type === 'compaction' ? event.parts : []);
  const summary = event.parts
    .filter((p) => p.kind === 'text')
    .map((p) => p.text)
    .join(' ');
  const others = event.parts.filter((p) => p.kind !== 'text');
  return noteEl(event, `${event.role} ${event.type}`, summary, others, eventActions(event));
}

function renderEdit(event, what, parts) {
  return noteEl(event, `history ${event.type}`, what, parts);
}

/** A centered note: its seq, kind and time, a one-line text, then the parts the line does not say. */
function noteEl(event, kind, text, parts, actions = null) {
  return el(
    'div',
    { class: 'note' },
    el(
      'p',
      { class: 'note-line' },
      el('span', { class: 'seq' }, `#${event.seq}`),
      ' ',
      el('span', { class: 'note-kind' }, kind),
      ' · ',
      timeEl(event.createdAt),
      text ? el('span', { class: 'note-text' }, ` — ${text}`) : null,
      actions ? ' ' : null,
      actions,
    ),
    parts.length ? el('div', { class: 'parts' }, parts.map(renderPart)) : null,
  );
}

/** The task outcome badge of an agent answer (failed tasks in red, with their error). */
export function renderTaskStatus(event, task) {
  const status = task?.status ?? event.metadata?.taskStatus;
  if (!status) return el('div', { class: 'task-status' });
  const error = status === 'failed' ? (task?.error ?? errorText(event)) : null;
  return el(
    'div',
    { class: 'task-status' },
    el('span', { class: `badge badge--${status}` }, `task ${status.replace('_', ' ')}`),
    error ? el('span', { class: 'task-error' }, `Error: ${error}`) : null,
  );
}

function errorText(event) {
  const data = event.parts.find((p) => p.kind === 'data' && typeof p.data?.error === 'string');
  return data?.data.error ?? null;
}

function renderUsage(usage) {
  const bits = [];
  if (usage.model) bits.push(usage.model);
  if (usage.promptTokens !== null || usage.completionTokens !== null) {
    bits.push(`${usage.promptTokens ?? 0} + ${usage.completionTokens ?? 0} tokens`);
  }
  if (usage.costUsd) bits.push(`$${Number(usage.costUsd).toFixed(4)}`);
  return bits.length ? el('p', { class: 'usage muted' }, bits.join(' · ')) : null;
}

export function renderPart(part) {
  if (part.kind === 'text') return el('p', { class: 'part-text' }, part.text);
  if (part.kind === 'data') return jsonBlock('Data', part.data);
  if (part.kind === 'file') return renderFile(part.file ?? {});
  return jsonBlock(`Part (${String(part.kind)})`, part);
}

function renderFile(file) {
  const name = file.name || file.uri || 'unnamed file';
  const details = [file.mimeType, file.bytes ? `${approxBytes(file.bytes)} inline` : null].filter(Boolean).join(', ');
  const safeUri = file.uri && /^https?:\/\//i.test(file.uri) ? file.uri : null;
  const label = safeUri
    ? el('a', { href: safeUri, target: '_blank', rel: 'noopener noreferrer' }, name)
    : el('span', { class: 'file-name' }, name);
  return el(
    'p',
    { class: 'part-file' },
    el('span', { class: 'muted' }, 'File: '),
    label,
    details ? ` (${details})` : null,
  );
}

function approxBytes(base64) {
  const bytes = Math.floor((base64.length * 3) / 4);
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}
