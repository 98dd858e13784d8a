// Small DOM helpers. Data is only ever inserted as text nodes or attribute values, never as HTML.

/** Builds an element: el('p', { class: 'x', 'data-seq': 3 }, 'text', childNode). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const byId = (id) => document.getElementById(id);

const TZ_KEY = 'transcript-review.tz';
const FORMATS = {
  local: new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }),
  utc: new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }),
};
const ZONE_NAME = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' });

/** 'local' or 'utc', remembered in this browser. */
export function timeZoneMode() {
  return localStorage.getItem(TZ_KEY) === 'utc' ? 'utc' : 'local';
}

/** Switches every time on the page (and those rendered later) between local time and UTC. */
export function setTimeZoneMode(mode) {
  localStorage.setItem(TZ_KEY, mode === 'utc' ? 'utc' : 'local');
  for (const node of document.querySelectorAll('time[datetime]')) node.textContent = formatTime(node.dateTime);
}

/** A date and time with its zone named (e.g. "29 Nov 2026, 20:05:51 UTC", "… GMT+1"). */
export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (timeZoneMode() === 'utc') return `${FORMATS.utc.format(date)} UTC`;
  const zone = ZONE_NAME.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? '';
  return `${FORMATS.local.format(date)} ${zone}`.trim();
}

/** A <time> element in the chosen zone, with the exact ISO instant as its datetime and title. */
export function timeEl(iso) {
  if (!iso) return el('span', { class: 'muted' }, '—');
  return el('time', { datetime: iso, title: iso }, formatTime(iso));
}

/** A short human duration: 850 ms, 12.4 s, 3 min 5 s, 2 h 4 min. */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Text with every case-insensitive occurrence of `needle` wrapped in <mark>; everything stays text. */
export function highlightNodes(text, needle) {
  if (!needle) return [document.createTextNode(text)];
  const nodes = [];
  const lower = text.toLowerCase();
  const target = needle.toLowerCase();
  let last = 0;
  for (let at = lower.indexOf(target); at >= 0 && target; at = lower.indexOf(target, last)) {
    if (at > last) nodes.push(document.createTextNode(text.slice(last, at)));
    nodes.push(el('mark', {}, text.slice(at, at + target.length)));
    last = at + target.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

/** Text with «matches» turned into <mark> elements; everything else stays plain text. */
export function snippetNodes(snippet) {
  const nodes = [];
  const pattern = /«([^»]*)»/g;
  let last = 0;
  for (const match of snippet.matchAll(pattern)) {
    if (match.index > last) nodes.push(document.createTextNode(snippet.slice(last, match.index)));
    nodes.push(el('mark', {}, match[1]));
    last = match.index + match[0].length;
  }
  if (last < snippet.length) nodes.push(document.createTextNode(snippet.slice(last)));
  return nodes;
}

/** Shows a message in the page's live region (read out by screen readers). */
export function announce(message, kind = 'info') {
  const status = byId('status');
  status.textContent = message;
  status.dataset.kind = kind;
}

export function clearAnnouncement() {
  announce('', 'info');
}

/** A JSON value, pretty-printed under a caption (tool arguments, data parts, state patches). */
export function jsonBlock(title, value) {
  return el(
    'figure',
    { class: 'part-data' },
    el('figcaption', {}, title),
    el('pre', { tabindex: '0' }, el('code', {}, JSON.stringify(value, null, 2))),
  );
}
