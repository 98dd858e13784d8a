import { WebSocket } from 'ws';
import type { StreamTarget } from '../../platform/http/stream-writer.js';

/** What a socket may hold unsent before a write waits for it to drain (Node's default for a stream). */
const HIGH_WATER_BYTES = 16 * 1024;

/** Close code and reason when the service shuts down: clients reconnect (to another instance) and resume. */
export const GOING_AWAY = { code: 1001, reason: 'the service is shutting down; reconnect and resume' };

/**
 * A WebSocket as a StreamTarget, so its frames go through the same StreamWriter as SSE (the same write timeout
 * and byte budget). `ws` has no 'drain' event: a send's callback runs once the frame has left the socket's
 * buffer, and frames leave in order, so the callback of the latest send is when the buffer has drained.
 */
export function socketTarget(ws: WebSocket): StreamTarget {
  let flushed: Promise<boolean> = Promise.resolve(true);
  const closed = new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve();
    else ws.once('close', () => resolve());
  });
  return {
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    get bufferedBytes() {
      return ws.bufferedAmount;
    },
    write: (chunk) => {
      // a text frame, also when the writer hands over the text's bytes
      flushed = new Promise((resolve) => ws.send(chunk, { binary: false }, (error) => resolve(!error)));
      return ws.bufferedAmount < HIGH_WATER_BYTES;
    },
    onceDrained: (listener) => {
      let active = true;
      void Promise.race([flushed, closed.then(() => false)]).then((open) => active && listener(open));
      return () => (active = false);
    },
    onceClosed: (listener) => void closed.then(listener),
    end: () => ws.close(GOING_AWAY.code, GOING_AWAY.reason),
    destroy: () => ws.terminate(),
  };
}
