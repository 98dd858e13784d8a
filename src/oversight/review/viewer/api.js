// Talks to the service with the reviewer's bearer token (kept in sessionStorage for this tab only).

const TOKEN_KEY = 'transcript-review.token';

export const tokenStore = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }

  get isAuth() {
    return this.status === 401 || this.status === 403;
  }
}

let authFailureHandler = () => {};

/** Called with the ApiError whenever the service answers 401 or 403. */
export function onAuthFailure(handler) {
  authFailureHandler = handler;
}

/** A fetch with the Authorization header; resolves with the Response when it is 2xx, otherwise throws ApiError. */
export async function request(path, { token = tokenStore.get(), headers = {}, signal, method = 'GET', body } = {}) {
  const res = await fetch(path, {
    method,
    headers: { Accept: 'application/json', ...headers, Authorization: `Bearer ${token ?? ''}` },
    cache: 'no-store',
    signal,
    body,
  });
  if (res.ok) return res;
  const error = await toError(res);
  if (error.isAuth) authFailureHandler(error);
  throw error;
}

async function toError(res) {
  let body = {};
  try {
    body = await res.json();
  } catch {
    // not a JSON error body
  }
  const message = typeof body.message === 'string' ? body.message : `${res.status} ${res.statusText}`;
  return new ApiError(res.status, message, body.code);
}

/** GET a JSON resource; `params` become the query string (empty values are left out). */
export async function getJson(path, params = {}, options = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const qs = query.toString();
  const res = await request(qs ? `${path}?${qs}` : path, options);
  return res.json();
}

/** POST a JSON body; resolves with the JSON answer. */
export async function postJson(path, payload) {
  const res = await request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  return res.json();
}

/** Downloads a file through fetch (so the token is sent) and saves it under the server's file name. */
export async function download(path, fallbackName) {
  const res = await request(path, { headers: { Accept: '*/*' } });
  const name = fileNameFrom(res.headers.get('Content-Disposition')) ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
  return name;
}

/** The file name of a Content-Disposition header (RFC 6266 filename* first), without any path. */
export function fileNameFrom(header) {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(header) ?? /filename\s*=\s*([^;]+)/i.exec(header);
  let name;
  try {
    name = extended ? decodeURIComponent(extended[1].trim()) : plain?.[1].trim();
  } catch {
    name = plain?.[1].trim();
  }
  const base = name?.split(/[\\/]/).pop();
  return base || undefined;
}
