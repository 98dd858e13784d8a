// Follows a session's Server-Sent Events stream through fetch, so the Authorization header can be sent
// (EventSource cannot). Reconnects after a drop, resuming after the last seq received.
import { request } from './api.js';

const RETRY_MS = 2_000;

/**
 * Starts following; returns a stop function. Callbacks: onEvent(event) for each new event in seq order,
 * onTask(task) for task status changes, onState('live' | 'reconnecting' | 'stopped', error?).
 */
export function follow(sessionId, { after, onEvent, onTask, onState }) {
  const controller = new AbortController();
  let last = after;
  const handle = (message) => {
    if (message.event === 'session.event') {
      const event = JSON.parse(message.data);
      if (event.seq <= last) return;
      last = event.seq;
      onEvent(event);
    } else if (message.event === 'task.status') {
      onTask(JSON.parse(message.data));
    }
  };
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const res = await request(`/v1/sessions/${encodeURIComponent(sessionId)}/stream?after=${last}`, {
          headers: { Accept: 'text/event-stream' },
          signal: controller.signal,
        });
        onState('live');
        await readEvents(res.body, handle);
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error.status >= 400 && error.status < 500) return onState('stopped', error);
      }
      if (controller.signal.aborted) return;
      onState('reconnecting');
      await pause(RETRY_MS, controller.signal);
    }
  };
  void run();
  return () => controller.abort();
}

function pause(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Reads an event stream body, calling onMessage({ event, data, id }) for each complete message. */
export async function readEvents(body, onMessage) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = messageEnd(buffer)) !== null) {
      const message = parseMessage(buffer.slice(0, end.index));
      buffer = buffer.slice(end.index + end.length);
      if (message) onMessage(message);
    }
  }
}

function messageEnd(buffer) {
  const match = /\r?\n\r?\n/.exec(buffer);
  return match ? { index: match.index, length: match[0].length } : null;
}

function parseMessage(block) {
  let event = 'message';
  let id;
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  return data.length ? { event, id, data: data.join('\n') } : undefined;
}
