// Entry point: sign-in with a pasted token, then the search sidebar and the conversation view.
import { getJson, onAuthFailure, tokenStore } from './api.js';
import { announce, byId } from './dom.js';
import { clearResults, initSearch, markSelected, search } from './search.js';
import { closeSession, initSession, openSession } from './session.js';

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

function showWorkspace() {
  byId('sign-in').hidden = true;
  byId('workspace').hidden = false;
  byId('account').hidden = false;
}

/** Checks a token against the search API (reviewer or admin only) before keeping it. */
async function signIn(token) {
  announce('Checking the token…');
  try {
    await getJson('/v1/review/sessions', { limit: 1 }, { token });
  } catch (error) {
    if (!error.isAuth) announce(`Could not sign in: ${error.message}`, 'error');
    return;
  }
  tokenStore.set(token);
  showWorkspace();
  byId('q').focus();
  await search();
}

function signOut() {
  showSignIn();
  announce('Signed out. The token was removed from this tab.');
}

function init() {
  onAuthFailure((error) => showSignIn(AUTH_MESSAGES[error.status] ?? error.message));
  initSearch({
    onOpen: (id, seq) => {
      markSelected(id);
      void openSession(id, seq);
    },
  });
  initSession();
  byId('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = byId('token-input').value.trim();
    if (token) void signIn(token);
  });
  byId('sign-out').addEventListener('click', signOut);
  if (tokenStore.get()) {
    showWorkspace();
    void search();
  } else {
    byId('sign-in').hidden = false;
  }
}

init();
