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

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A <time> element showing a local date and time, with the exact ISO instant as its datetime and title. */
export function timeEl(iso) {
  if (!iso) return el('span', { class: 'muted' }, '—');
  const date = new Date(iso);
  const label = Number.isNaN(date.getTime()) ? iso : DATE_TIME.format(date);
  return el('time', { datetime: iso, title: iso }, label);
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
