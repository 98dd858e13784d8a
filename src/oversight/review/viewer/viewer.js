// Entry point: sign-in with a pasted token (checked with GET /v1/me), then search, conversations and notes,
// each conversation and event at its own address (/review/sessions/:id#seq-N).
import { getJson, onAuthFailure, tokenStore } from './api.js';
import { setCanShare, initAnnotations } from './annotations.js';
import { announce, byId, setTimeZoneMode, timeZoneMode } from './dom.js';
import { currentRoute, navigate, onRouteChange, sessionUrl } from './router.js';
import { clearResults, initSearch, markSelected, search } from './search.js';
import { closeSession, initSession, jumpTo, openSession, openSessionId } from './session.js';

const AUTH_MESSAGES = {
  401: 'That token was not accepted: it is invalid, expired or revoked. Paste a valid reviewer or admin token.',
  403: 'That token may not review transcripts: sign in with a reviewer or admin token.',
};

function showSignIn(message) {
  tokenStore.clear();
  closeSession();
  clearResults();
  byId('workspace').hidden = true;
  byId('account').hidden = true;
  byId('sign-in').hidden = false;
  const input = byId('token-input');
  input.value = '';
  if (message) announce(message, 'error');
  input.focus();
}

function showWorkspace(me) {
  byId('sign-in').hidden = true;
  byId('workspace').hidden = false;
  byId('account').hidden = false;
  byId('account-label').textContent = `Signed in as ${me.userId} (${me.role})`;
  setCanShare(me.role === 'admin');
}

/** Who the token is; only reviewers and admins get in. Returns undefined (and explains) otherwise. */
async function identify(token) {
  try {
    const me = await getJson('/v1/me', {}, { token });
    if (me.role === 'reviewer' || me.role === 'admin') return me;
    showSignIn(AUTH_MESSAGES[403]);
  } catch (error) {
    if (!error.isAuth) announce(`Could not sign in: ${error.message}`, 'error');
  }
  return undefined;
}

async function signIn(token) {
  announce('Checking the token…');
  const me = await identify(token);
  if (!me) return;
  tokenStore.set(token);
  await enter(me);
}

/** Shows the workspace and whatever the address names (a colleague's link lands on its event). */
async function enter(me) {
  showWorkspace(me);
  const route = currentRoute();
  if (route.sessionId) void openSession(route.sessionId, route.seq ?? undefined);
  else byId('q').focus();
  await search();
}

function signOut() {
  showSignIn();
  navigate('/review');
  announce('Signed out. The token was removed from this tab.');
}

function followRoute(route) {
  if (!tokenStore.get()) return;
  if (!route.sessionId) return closeSession();
  markSelected(route.sessionId);
  if (route.sessionId !== openSessionId()) void openSession(route.sessionId, route.seq ?? undefined);
  else if (route.seq) void jumpTo(route.seq);
}

function initTimeZone() {
  const button = byId('tz-toggle');
  const show = () => {
    const utc = timeZoneMode() === 'utc';
    button.textContent = utc ? 'Times: UTC' : 'Times: local';
    button.setAttribute('aria-pressed', String(utc));
  };
  button.addEventListener('click', () => {
    setTimeZoneMode(timeZoneMode() === 'utc' ? 'local' : 'utc');
    show();
    announce(timeZoneMode() === 'utc' ? 'Times are shown in UTC.' : 'Times are shown in your time zone.');
  });
  show();
}

function init() {
  onAuthFailure((error) => showSignIn(AUTH_MESSAGES[error.status] ?? error.message));
  initSearch({
    onOpen: (id, seq) => {
      markSelected(id);
      navigate(sessionUrl(id, seq));
      void openSession(id, seq);
    },
  });
  initSession();
  initAnnotations({ onJump: (seq) => void jumpTo(seq) });
  initTimeZone();
  onRouteChange(followRoute);
  byId('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = byId('token-input').value.trim();
    if (token) void signIn(token);
  });
  byId('sign-out').addEventListener('click', signOut);
  const token = tokenStore.get();
  if (!token) {
    byId('sign-in').hidden = false;
    return;
  }
  void identify(token).then((me) => {
    if (me) return enter(me);
    byId('sign-in').hidden = false; // the service could not say who the token is: offer to sign in again
  });
}

init();
