// The workspace's addresses: /review (search) and /review/sessions/:id, with #seq-N naming one event.
// Opening a session pushes a history entry (back and forward move between sessions); jumps replace it.

const SESSION_PATH = /^\/review\/sessions\/([0-9a-f-]{36})\/?$/i;

/** What the address bar names: { sessionId, seq } (either may be null). */
export function currentRoute() {
  const match = SESSION_PATH.exec(location.pathname);
  const seq = /^#seq-(\d{1,10})$/.exec(location.hash);
  return { sessionId: match ? match[1].toLowerCase() : null, seq: seq ? Number(seq[1]) : null };
}

/** The shareable address of a session, or of one of its events. */
export function sessionUrl(sessionId, seq) {
  return `/review/sessions/${encodeURIComponent(sessionId)}${seq ? `#seq-${seq}` : ''}`;
}

export function absoluteUrl(path) {
  return new URL(path, location.origin).href;
}

/** Changes the address without reloading; `replace` keeps the history entry. */
export function navigate(path, { replace = false } = {}) {
  if (`${location.pathname}${location.hash}` === path) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
}

/** Back, forward and #seq links (the browser fires popstate for all three). */
export function onRouteChange(handler) {
  window.addEventListener('popstate', () => handler(currentRoute()));
}
