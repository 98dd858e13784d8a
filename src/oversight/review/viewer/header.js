// The conversation's header (who, what, when, how much, metadata, state) and its tasks table.
import { byId, el, formatDuration, timeEl } from './dom.js';

const item = (term, ...value) => el('div', {}, el('dt', {}, term), el('dd', {}, ...value));
const badge = (status) => el('span', { class: `badge badge--${status}` }, status.replace('_', ' '));

export function renderHeader(session, tasks) {
  byId('session-title').textContent = session.name || 'Untitled session';
  const failed = [...tasks.values()].filter((t) => t.status === 'failed').length;
  const usage = session.usage ?? { promptTokens: 0, completionTokens: 0, costUsd: null, unpricedAnswers: 0 };
  const duration = Date.parse(session.lastActivityAt) - Date.parse(session.createdAt);
  byId('session-meta').replaceChildren(
    item('User', session.userId),
    item('Agent', session.agentId),
    item('Status', badge(session.status)),
    item('Created', timeEl(session.createdAt)),
    item('Last activity', timeEl(session.lastActivityAt)),
    item('Duration', formatDuration(duration)),
    item('Turns', String(session.turnCount ?? 0)),
    item('Events', String(session.eventCount)),
    item('Tokens', `${usage.promptTokens} in · ${usage.completionTokens} out`),
    item('Cost', costText(usage)),
    item('Failed tasks', failed ? el('span', { class: 'badge badge--failed' }, String(failed)) : '0'),
    item('Session id', el('code', {}, session.id)),
  );
  byId('session-metadata-json').textContent = JSON.stringify(session.metadata ?? {}, null, 2);
  byId('session-state-json').textContent = JSON.stringify(session.state ?? {}, null, 2);
}

function costText(usage) {
  if (usage.costUsd === null) return usage.unpricedAnswers ? 'unknown (no price)' : '—';
  const total = `$${Number(usage.costUsd).toFixed(4)}`;
  return usage.unpricedAnswers ? `${total} + ${usage.unpricedAnswers} unpriced` : total;
}

/** One row per task: the turn it answers (a link to its message), outcome, latency and attempts. */
export function renderTasks(tasks, sessionUrlOf) {
  const rows = [...tasks.values()]
    .sort((a, b) => a.triggerSeq - b.triggerSeq)
    .map((task) => {
      const latency = task.finishedAt ? Date.parse(task.finishedAt) - Date.parse(task.createdAt) : NaN;
      const run = task.finishedAt && task.startedAt ? Date.parse(task.finishedAt) - Date.parse(task.startedAt) : NaN;
      return el(
        'tr',
        { 'data-task-id': task.id },
        el('td', {}, el('a', { href: sessionUrlOf(task.triggerSeq) }, `#${task.triggerSeq}`)),
        el('td', { title: task.error ?? undefined }, badge(task.status)),
        el(
          'td',
          { title: Number.isNaN(run) ? undefined : `running ${formatDuration(run)} of it` },
          task.finishedAt ? formatDuration(latency) : 'running',
        ),
        el('td', {}, String(task.attempts)),
      );
    });
  byId('tasks-body').replaceChildren(
    ...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'No tasks yet.'))]),
  );
}
