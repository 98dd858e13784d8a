// One session read as a conversation: paging through events, task outcomes, jump to seq, follow live, exports.
import { download, getJson } from './api.js';
import { announce, byId, el, timeEl } from './dom.js';
import { renderEvent, renderTaskStatus } from './events.js';
import { follow } from './live.js';

const EVENT_PAGE = 200;
const TASK_PAGE = 200;
const FORMAT_LABELS = { json: 'JSON', ndjson: 'NDJSON', markdown: 'Markdown', csv: 'CSV' };

const state = {
  id: null,
  session: null,
  tasks: new Map(),
  lastSeq: 0,
  nextAfter: null,
  stopFollow: null,
  generation: 0,
};

export function initSession() {
  byId('more-events').addEventListener('click', () => void loadEvents().catch(reportError));
  byId('jump-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void jumpTo(Number(byId('jump-seq').value)).catch(reportError);
  });
  byId('follow').addEventListener('change', (event) => (event.target.checked ? startFollowing() : stopFollowing(true)));
  for (const button of document.querySelectorAll('[data-format]')) {
    button.addEventListener('click', () => void exportAs(button.dataset.format, button));
  }
}

/** Opens a session; with `focusSeq`, scrolls to that event (e.g. the search match). */
export async function openSession(id, focusSeq) {
  closeSession();
  const generation = state.generation;
  state.id = id;
  byId('session-empty').hidden = true;
  byId('session-view').hidden = false;
  byId('session-title').textContent = 'Loading…';
  announce('Loading session…');
  try {
    const [session, tasks] = await Promise.all([getJson(`/v1/sessions/${id}`), loadTasks(id)]);
    if (generation !== state.generation) return;
    state.session = session;
    state.tasks = tasks;
    renderHeader(session);
    await loadEvents();
    if (generation !== state.generation) return;
    announce(`Opened ${session.name || 'session'} with ${session.eventCount} events.`);
    if (focusSeq) await jumpTo(focusSeq);
    else byId('session-title').focus();
  } catch (error) {
    if (generation === state.generation) reportError(error);
  }
}

/** Forgets the open session (stops following it). */
export function closeSession() {
  stopFollowing(false);
  state.generation += 1;
  Object.assign(state, { id: null, session: null, tasks: new Map(), lastSeq: 0, nextAfter: 0 });
  byId('events').replaceChildren();
  byId('session-meta').replaceChildren();
  byId('more-events').hidden = true;
  byId('session-view').hidden = true;
  byId('session-empty').hidden = false;
}

async function loadTasks(id) {
  const tasks = new Map();
  let after = 0;
  while (after !== null) {
    const page = await getJson(`/v1/sessions/${id}/tasks`, { after, limit: TASK_PAGE });
    for (const task of page.data) tasks.set(task.id, task);
    after = page.nextAfter;
  }
  return tasks;
}

function renderHeader(session) {
  byId('session-title').textContent = session.name || 'Untitled session';
  const item = (term, ...value) => el('div', {}, el('dt', {}, term), el('dd', {}, ...value));
  const failed = [...state.tasks.values()].filter((t) => t.status === 'failed').length;
  byId('session-meta').replaceChildren(
    item('User', session.userId),
    item('Agent', session.agentId),
    item('Status', el('span', { class: `badge badge--${session.status}` }, session.status.replace('_', ' '))),
    item('Created', timeEl(session.createdAt)),
    item('Last activity', timeEl(session.lastActivityAt)),
    item('Events', String(session.eventCount)),
    item('Failed tasks', failed ? el('span', { class: 'badge badge--failed' }, String(failed)) : '0'),
    item('Session id', el('code', {}, session.id)),
  );
}

/** Loads the next page of events (200 at a time). */
async function loadEvents() {
  if (state.nextAfter === null) return;
  const generation = state.generation;
  const button = byId('more-events');
  button.disabled = true;
  try {
    const page = await getJson(`/v1/sessions/${state.id}/events`, { after: state.nextAfter, limit: EVENT_PAGE });
    if (generation !== state.generation) return;
    appendEvents(page.data);
    state.nextAfter = page.nextAfter;
  } finally {
    button.disabled = false;
    button.hidden = state.nextAfter === null || !!state.stopFollow;
  }
}

function appendEvents(events) {
  const fresh = events.filter((event) => event.seq > state.lastSeq);
  if (!fresh.length) return;
  byId('events').append(
    ...fresh.map((event) => renderEvent(event, { task: state.tasks.get(event.taskId), session: state.session })),
  );
  state.lastSeq = fresh[fresh.length - 1].seq;
}

/** Scrolls to and highlights an event, loading further pages until it is there. */
export async function jumpTo(seq) {
  if (!Number.isInteger(seq) || seq < 1) return announce('Enter a seq of 1 or more.', 'error');
  const generation = state.generation;
  while (!byId(`seq-${seq}`) && state.nextAfter !== null && seq > state.lastSeq && generation === state.generation)
    await loadEvents();
  if (generation !== state.generation) return;
  const target = byId(`seq-${seq}`);
  if (!target) return announce(`Event #${seq} is not in this session (last seq is ${state.lastSeq}).`, 'error');
  for (const old of document.querySelectorAll('.event.is-target')) old.classList.remove('is-target');
  target.classList.add('is-target');
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
  announce(`Showing event #${seq}.`);
}

function startFollowing() {
  if (!state.id || state.stopFollow) return;
  state.nextAfter = null; // the stream replays everything after the last event shown
  byId('more-events').hidden = true;
  announce('Connecting to the live stream…');
  state.stopFollow = follow(state.id, {
    after: state.lastSeq,
    onEvent: (event) => appendLive(event),
    onTask: (task) => updateTask(task),
    onState: (mode, error) => followState(mode, error),
  });
}

function stopFollowing(announceIt) {
  state.stopFollow?.();
  state.stopFollow = null;
  byId('follow').checked = false;
  if (announceIt) announce('Stopped following live.');
}

function followState(mode, error) {
  if (mode === 'live') announce('Following live: new events appear at the end.');
  else if (mode === 'reconnecting') announce('Live stream interrupted; reconnecting…', 'error');
  else {
    stopFollowing(false);
    if (!error?.isAuth) announce(`Live stream stopped: ${error?.message ?? 'unknown error'}`, 'error');
  }
}

function appendLive(event) {
  const list = byId('events');
  const nearBottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 80;
  appendEvents([event]);
  if (state.session) {
    state.session = {
      ...state.session,
      eventCount: Math.max(state.session.eventCount, event.seq),
      lastActivityAt: event.createdAt,
    };
    renderHeader(state.session);
  }
  if (nearBottom) list.lastElementChild?.scrollIntoView({ block: 'end' });
}

function updateTask(task) {
  state.tasks.set(task.id, task);
  if (state.session) renderHeader(state.session);
  for (const item of document.querySelectorAll(`.event--agent[data-task-id="${CSS.escape(task.id)}"]`)) {
    const event = { metadata: {}, parts: [] };
    item.querySelector('.task-status')?.replaceWith(renderTaskStatus(event, task));
  }
}

async function exportAs(format, button) {
  if (!state.id) return;
  button.disabled = true;
  announce(`Preparing the ${FORMAT_LABELS[format]} download…`);
  try {
    const name = await download(
      `/v1/sessions/${state.id}/transcript?format=${format}`,
      `session-${state.id}.${format}`,
    );
    announce(`Downloaded ${name}.`);
  } catch (error) {
    reportError(error);
  } finally {
    button.disabled = false;
  }
}

function reportError(error) {
  if (error?.isAuth) return; // the sign-in screen explains it
  announce(
    error?.status === 404 ? 'That session no longer exists.' : `Something went wrong: ${error?.message ?? error}`,
    'error',
  );
}
