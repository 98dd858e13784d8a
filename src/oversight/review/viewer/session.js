// One session read as a conversation: paging through events (steps nested as a trace), the header and tasks,
// jump to seq, copy links, follow live with a "new messages" pill, exports.
import { download, getJson } from './api.js';
import { announce, byId } from './dom.js';
import { annotateEvent, decorateEvents, loadAnnotations, resetAnnotations } from './annotations.js';
import { renderEvent, renderTaskStatus } from './events.js';
import { renderHeader, renderTasks } from './header.js';
import { follow } from './live.js';
import { absoluteUrl, navigate, sessionUrl } from './router.js';
import { traceList, traceParentId } from './steps.js';

const EVENT_PAGE = 200;
const TASK_PAGE = 200;
const NEAR_BOTTOM_PX = 120;
const FORMAT_LABELS = { json: 'JSON', ndjson: 'NDJSON', markdown: 'Markdown', csv: 'CSV' };

const state = {
  id: null,
  session: null,
  tasks: new Map(),
  /** event id -> { item, event } of every rendered event, so steps find their parent */
  rendered: new Map(),
  lastSeq: 0,
  nextAfter: null,
  stopFollow: null,
  unseen: 0,
  generation: 0,
};

export const openSessionId = () => state.id;

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
  byId('events').addEventListener('click', onEventAction);
  byId('new-messages').addEventListener('click', showNewest);
  window.addEventListener('scroll', () => {
    if (state.unseen && nearBottom()) clearUnseen();
  });
}

/** Opens a session; with `focusSeq`, scrolls to that event (a deep link or a search match). */
export async function openSession(id, focusSeq) {
  closeSession();
  const generation = state.generation;
  state.id = id;
  byId('workspace').classList.add('has-session');
  byId('session-empty').hidden = true;
  byId('session-view').hidden = false;
  byId('session-title').textContent = 'Loading…';
  announce('Loading session…');
  try {
    const [session, tasks] = await Promise.all([getJson(`/v1/sessions/${id}`), loadTasks(id)]);
    if (generation !== state.generation) return;
    state.session = session;
    state.tasks = tasks;
    refreshHeader();
    await Promise.all([loadEvents(), loadAnnotations(id)]);
    if (generation !== state.generation) return;
    decorateEvents();
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
  Object.assign(state, { id: null, session: null, tasks: new Map(), rendered: new Map(), lastSeq: 0, nextAfter: 0 });
  clearUnseen();
  resetAnnotations();
  byId('events').replaceChildren();
  byId('session-meta').replaceChildren();
  byId('tasks-body').replaceChildren();
  byId('more-events').hidden = true;
  byId('session-view').hidden = true;
  byId('session-empty').hidden = false;
  byId('workspace').classList.remove('has-session');
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

function refreshHeader() {
  renderHeader(state.session, state.tasks);
  renderTasks(state.tasks, (seq) => sessionUrl(state.id, seq));
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

/** Renders events in seq order; a step goes under its parent when that is on the page. Returns the new items. */
function appendEvents(events) {
  const items = [];
  for (const event of events) {
    if (event.seq <= state.lastSeq) continue;
    const parent = state.rendered.get(traceParentId(event, state.tasks) ?? '');
    const item = renderEvent(event, {
      task: state.tasks.get(event.taskId),
      session: state.session,
      parent: parent?.event,
    });
    (parent ? traceList(parent.item) : byId('events')).append(item);
    state.rendered.set(event.id, { item, event });
    state.lastSeq = event.seq;
    items.push(item);
  }
  if (items.length) decorateEvents();
  return items;
}

/** Scrolls to and highlights an event (opening the trace steps around it), loading pages until it is there. */
export async function jumpTo(seq) {
  if (!Number.isInteger(seq) || seq < 1) return announce('Enter a seq of 1 or more.', 'error');
  const generation = state.generation;
  while (!byId(`seq-${seq}`) && state.nextAfter !== null && seq > state.lastSeq && generation === state.generation)
    await loadEvents();
  if (generation !== state.generation) return;
  const target = byId(`seq-${seq}`);
  if (!target) return announce(`Event #${seq} is not in this session (last seq is ${state.lastSeq}).`, 'error');
  for (let details = target.closest('details'); details; details = details.parentElement?.closest('details') ?? null)
    details.open = true;
  for (const old of document.querySelectorAll('.event.is-target')) old.classList.remove('is-target');
  target.classList.add('is-target');
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
  navigate(sessionUrl(state.id, seq), { replace: true });
  announce(`Showing event #${seq}.`);
}

function onEventAction(event) {
  const button = event.target.closest('button[data-action]');
  if (!button || !state.id) return;
  const seq = Number(button.dataset.seq);
  if (button.dataset.action === 'annotate') return annotateEvent(seq);
  const url = absoluteUrl(sessionUrl(state.id, seq));
  navigate(sessionUrl(state.id, seq), { replace: true });
  const copied = navigator.clipboard?.writeText(url) ?? Promise.reject(new Error('no clipboard'));
  copied.then(
    () => announce(`Link to event #${seq} copied: ${url}`),
    () => announce(`Link to event #${seq} (copy it from the address bar): ${url}`),
  );
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

const nearBottom = () => window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - NEAR_BOTTOM_PX;

/** A live event: shown at once; when the reader has scrolled up, counted in the "N new messages" pill instead. */
function appendLive(event) {
  const follow = nearBottom();
  const [item] = appendEvents([event]);
  if (state.session) {
    const turn = event.role === 'user' && event.type === 'message' ? 1 : 0;
    state.session = {
      ...state.session,
      eventCount: Math.max(state.session.eventCount, event.seq),
      turnCount: (state.session.turnCount ?? 0) + turn,
      lastActivityAt: event.createdAt,
    };
    refreshHeader();
  }
  if (!item) return;
  if (follow) item.scrollIntoView({ block: 'end' });
  else {
    state.unseen += 1;
    const pill = byId('new-messages');
    pill.textContent = `${state.unseen} new ${state.unseen === 1 ? 'message' : 'messages'} ↓`;
    pill.hidden = false;
  }
}

function showNewest() {
  const items = byId('events').querySelectorAll('.event');
  items[items.length - 1]?.scrollIntoView({ block: 'end' });
  clearUnseen();
}

function clearUnseen() {
  state.unseen = 0;
  byId('new-messages').hidden = true;
}

function updateTask(task) {
  state.tasks.set(task.id, task);
  if (state.session) refreshHeader();
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
