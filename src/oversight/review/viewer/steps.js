// What the agent did on its way to an answer, shown as a trace: tool calls with their results nested under
// them, intermediate messages, state changes and artifacts, each under the event that led to it.
import { el, formatDuration, jsonBlock, timeEl } from './dom.js';

const LABELS = {
  tool_call: 'Tool call',
  tool_result: 'Tool result',
  message: 'Agent step',
  state: 'State change',
  artifact: 'Artifact',
};

/** A step of a task (rendered in the trace) rather than a message of the conversation. */
export function isStep(event) {
  if (event.type === 'tool_call' || event.type === 'tool_result' || event.type === 'artifact') return true;
  if (event.type === 'message') return event.role === 'agent' && !!event.parentId;
  return event.type === 'state' && event.role === 'agent' && !!event.taskId;
}

/**
 * The id of the event a rendered event hangs under: its parentId, or for a task's state change or artifact
 * (which have none) the message that started the task. Everything else stays at the top level.
 */
export function traceParentId(event, tasks) {
  if (event.parentId) return event.parentId;
  if (!isStep(event) || !event.taskId) return null;
  return tasks.get(event.taskId)?.triggerEventId ?? null;
}

/** The list a child goes into: inside a step's <details> (so collapsing hides it), else inside the <li>. */
export function traceList(item) {
  const existing = item.querySelector(':scope > ol.trace, :scope > details > ol.trace');
  if (existing) return existing;
  const list = el('ol', { class: 'trace', 'aria-label': 'What the agent did' });
  (item.querySelector(':scope > details') ?? item).append(list);
  return list;
}

export function renderStep(event, parent, renderPart, actions) {
  const meta = event.metadata ?? {};
  const isError = event.type === 'tool_result' && meta.isError === true;
  const name = event.type === 'tool_result' ? meta.callId : meta.name;
  const after = parent ? Date.parse(event.createdAt) - Date.parse(parent.createdAt) : NaN;
  return el(
    'details',
    { class: `step step--${event.type}${isError ? ' step--error' : ''}`, open: true },
    el(
      'summary',
      {},
      el('span', { class: 'step-kind' }, LABELS[event.type] ?? event.type),
      typeof name === 'string' ? el('strong', { class: 'step-name' }, name) : null,
      isError ? el('span', { class: 'badge badge--failed' }, 'error') : null,
      el('span', { class: 'seq' }, `#${event.seq}`),
      timeEl(event.createdAt),
      Number.isNaN(after) ? null : el('span', { class: 'muted step-time' }, `+${formatDuration(after)}`),
      Number(meta.attempt) > 1 ? el('span', { class: 'badge badge--submitted' }, `attempt ${meta.attempt}`) : null,
      actions,
    ),
    el('div', { class: 'step-body' }, stepBody(event, renderPart)),
  );
}

function stepBody(event, renderPart) {
  const data = event.parts.find((part) => part.kind === 'data')?.data;
  if (event.type === 'tool_call' && data) return jsonBlock('Arguments', data.arguments ?? null);
  if (event.type === 'state' && data) return jsonBlock('Patch', data.patch ?? data);
  const description = event.type === 'artifact' ? event.metadata?.description : undefined;
  return [
    typeof description === 'string' ? el('p', { class: 'muted' }, description) : null,
    el('div', { class: 'parts' }, event.parts.map(renderPart)),
  ];
}
