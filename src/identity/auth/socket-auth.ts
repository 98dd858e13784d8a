import type { AuthContext } from './auth-context.js';

const callers = new WeakMap<object, AuthContext>();

/** Binds the caller authenticated at a WebSocket's upgrade to the socket, for the guards of its messages. */
export function bindSocketAuth(socket: object, auth: AuthContext): void {
  callers.set(socket, auth);
}

/** The caller a socket was opened by (undefined for a socket nobody authenticated). */
export function socketAuth(socket: object): AuthContext | undefined {
  return callers.get(socket);
}
