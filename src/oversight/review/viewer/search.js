// The session search form, its result list and "load more" keyset paging.
import { getJson } from './api.js';
import { announce, byId, el, highlightNodes, snippetNodes, timeEl } from './dom.js';

const PAGE_SIZE = 25;
const MATCH_LABELS = { id: 'session id', name: 'name', metadata: 'metadata', text: 'conversation', annotation: 'note' };
const state = { filters: {}, cursor: null, count: 0, selectedId: null, onOpen: () => {}, generation: 0 };

export function initSearch({ onOpen }) {
  state.onOpen = onOpen;
  byId('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void search();
  });
  byId('search-form').addEventListener('reset', () => setTimeout(() => void search(), 0));
  byId('load-more').addEventListener('click', () => void loadPage(false));
}

/** Runs a new search with the form's current filters. */
export async function search() {
  state.filters = readFilters(new FormData(byId('search-form')));
  state.cursor = null;
  await loadPage(true);
}

export function clearResults() {
  state.generation += 1;
  state.count = 0;
  state.selectedId = null;
  byId('results').replaceChildren();
  byId('results-count').textContent = '';
  byId('load-more').hidden = true;
}

export function markSelected(id) {
  state.selectedId = id;
  for (const button of byId('results').querySelectorAll('button.hit')) {
    if (button.dataset.id === id) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

function readFilters(form) {
  const text = (name) => String(form.get(name) ?? '').trim() || undefined;
  return {
    q: text('q'),
    userId: text('userId'),
    agentId: text('agentId'),
    status: text('status'),
    hasFailedTasks: form.get('hasFailedTasks') ? 'true' : undefined,
    label: text('label'),
    metadata: text('metadata'),
    createdFrom: dayStart(text('createdFrom')),
    createdTo: dayStart(text('createdTo'), 1),
    activeFrom: dayStart(text('activeFrom')),
    activeTo: dayStart(text('activeTo'), 1),
  };
}

/** Local midnight of a yyyy-mm-dd day (plus `addDays`), as an ISO instant; "to" dates are inclusive. */
function dayStart(day, addDays = 0) {
  if (!day) return undefined;
  const date = new Date(`${day}T00:00:00`);
  if (Number.isNaN(date.getTime())) return undefined;
  date.setDate(date.getDate() + addDays);
  return date.toISOString();
}

async function loadPage(fresh) {
  const generation = fresh ? ++state.generation : state.generation;
  const button = byId('load-more');
  button.disabled = true;
  announce(fresh ? 'Searching…' : 'Loading more sessions…');
  try {
    const page = await getJson('/v1/review/sessions', {
      ...state.filters,
      limit: PAGE_SIZE,
      cursor: state.cursor ?? undefined,
    });
    if (generation !== state.generation) return;
    if (fresh) {
      byId('results').replaceChildren();
      state.count = 0;
    }
    byId('results').append(...page.data.map(renderHit));
    state.count += page.data.length;
    state.cursor = page.nextCursor;
    button.hidden = !page.nextCursor;
    showCount();
  } catch (error) {
    if (!error.isAuth) announce(`Search failed: ${error.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

function showCount() {
  const more = state.cursor ? ', more available' : '';
  const label = `${state.count} ${state.count === 1 ? 'session' : 'sessions'}${more}`;
  byId('results-count').textContent = `(${label})`;
  announce(state.count === 0 ? 'No sessions match these filters.' : `Showing ${label}.`);
}

function renderHit(hit) {
  const failed =
    hit.failedTasks > 0
      ? el(
          'span',
          { class: 'badge badge--failed' },
          `${hit.failedTasks} failed ${hit.failedTasks === 1 ? 'task' : 'tasks'}`,
        )
      : el('span', { class: 'muted' }, '0 failed tasks');
  const button = el(
    'button',
    {
      type: 'button',
      class: 'hit',
      'data-id': hit.id,
      'aria-current': hit.id === state.selectedId ? 'true' : undefined,
    },
    el(
      'span',
      { class: 'hit-name' },
      hit.name
        ? highlightNodes(hit.name, hit.matchedOn?.includes('name') ? state.filters.q : undefined)
        : 'Untitled session',
    ),
    el(
      'span',
      { class: 'hit-line' },
      'User ',
      el('strong', {}, hit.userId),
      ' · agent ',
      el('strong', {}, hit.agentId),
      ' ',
      el('span', { class: `badge badge--${hit.status}` }, hit.status.replace('_', ' ')),
    ),
    el('span', { class: 'hit-line' }, 'Created ', timeEl(hit.createdAt)),
    el('span', { class: 'hit-line' }, 'Last activity ', timeEl(hit.lastActivityAt)),
    el('span', { class: 'hit-line' }, `${hit.eventCount} ${hit.eventCount === 1 ? 'event' : 'events'} · `, failed),
    hit.labels?.length
      ? el(
          'span',
          { class: 'labels' },
          hit.labels.map((label) => el('span', { class: 'label' }, label)),
        )
      : null,
    hit.matchedOn?.length
      ? el(
          'span',
          { class: 'hit-line matched' },
          `Matched: ${hit.matchedOn.map((f) => MATCH_LABELS[f] ?? f).join(', ')}`,
        )
      : null,
    hit.match
      ? el(
          'span',
          { class: 'snippet' },
          el('span', { class: 'seq' }, `#${hit.match.seq}`),
          ' ',
          snippetNodes(hit.match.snippet),
        )
      : null,
  );
  button.addEventListener('click', () => {
    markSelected(hit.id);
    state.onOpen(hit.id, hit.match?.seq);
  });
  return el('li', {}, button);
}
