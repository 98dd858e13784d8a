// Notes and labels on the open session: the list, the form that adds one, and the notes shown on their events.
import { getJson, postJson } from './api.js';
import { announce, byId, el, timeEl } from './dom.js';

const PAGE = 200;
const state = { sessionId: null, annotations: [], generation: 0, onJump: () => {} };

export function initAnnotations({ onJump }) {
  state.onJump = onJump;
  byId('annotation-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
}

/** Admins may share a note with the session's owner; the checkbox is theirs only. */
export function setCanShare(canShare) {
  byId('annotation-share-label').hidden = !canShare;
}

export function resetAnnotations() {
  state.generation += 1;
  state.sessionId = null;
  state.annotations = [];
  byId('annotation-list').replaceChildren();
  byId('annotation-form').reset();
}

export async function loadAnnotations(sessionId) {
  resetAnnotations();
  state.sessionId = sessionId;
  const generation = state.generation;
  let cursor;
  const all = [];
  do {
    const page = await getJson(`/v1/sessions/${sessionId}/annotations`, { limit: PAGE, cursor });
    if (generation !== state.generation) return;
    all.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  state.annotations = all;
  renderList();
  decorateEvents();
}

/** Puts the seq into the form and focuses the note. */
export function annotateEvent(seq) {
  byId('annotation-seq').value = String(seq);
  byId('annotation-text').focus();
}

/** Shows each event's notes on it (call after events are rendered). */
export function decorateEvents() {
  for (const annotation of state.annotations) {
    if (annotation.seq === null) continue;
    const item = byId(`seq-${annotation.seq}`);
    if (!item || item.querySelector(`[data-annotation-id="${CSS.escape(annotation.id)}"]`)) continue;
    let box = item.querySelector(':scope > .event-notes');
    if (!box) {
      box = el('div', { class: 'event-notes' });
      item.insertBefore(box, item.querySelector(':scope > ol.trace'));
    }
    box.append(renderNote(annotation, 'p'));
  }
}

function renderList() {
  const items = state.annotations.map((annotation) => el('li', {}, renderNote(annotation, 'article')));
  byId('annotation-list').replaceChildren(...(items.length ? items : [el('li', { class: 'muted' }, 'No notes yet.')]));
}

function renderNote(annotation, tag) {
  const about =
    annotation.seq === null
      ? el('span', { class: 'muted' }, 'session')
      : el('a', { href: `#seq-${annotation.seq}`, 'data-jump': annotation.seq }, `#${annotation.seq}`);
  const node = el(
    tag,
    { class: 'annotation', 'data-annotation-id': annotation.id },
    el(
      'span',
      { class: 'annotation-head' },
      el('strong', {}, annotation.authorId),
      ` (${annotation.authorRole}) on `,
      about,
      ' · ',
      timeEl(annotation.createdAt),
      annotation.shared ? el('span', { class: 'badge badge--active' }, 'shared') : null,
    ),
    annotation.labels.length
      ? el(
          'span',
          { class: 'labels' },
          annotation.labels.map((label) => el('span', { class: 'label' }, label)),
        )
      : null,
    annotation.text ? el('span', { class: 'annotation-text' }, annotation.text) : null,
  );
  const link = node.querySelector('a[data-jump]');
  link?.addEventListener('click', (event) => {
    event.preventDefault();
    state.onJump(annotation.seq);
  });
  return node;
}

async function submit() {
  if (!state.sessionId) return;
  const form = new FormData(byId('annotation-form'));
  const text = String(form.get('text') ?? '').trim();
  const labels = String(form.get('labels') ?? '')
    .split(',')
    .map((label) => label.trim())
    .filter(Boolean);
  const seq = String(form.get('seq') ?? '').trim();
  const payload = { ...(text ? { text } : {}), ...(labels.length ? { labels } : {}) };
  if (seq) payload.seq = Number(seq);
  if (form.get('shared')) payload.shared = true;
  const button = byId('annotation-form').querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const created = await postJson(`/v1/sessions/${state.sessionId}/annotations`, payload);
    state.annotations.push(created);
    renderList();
    decorateEvents();
    byId('annotation-form').reset();
    announce(created.seq === null ? 'Note added to the session.' : `Note added to event #${created.seq}.`);
  } catch (error) {
    if (!error.isAuth) announce(`The note was not saved: ${error.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}
