import type { TestApp } from './test-app.js';

export const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
export const text = (value: string) => [{ kind: 'text', text: value }];

export async function createSession(t: TestApp, token: string, body: Record<string, unknown> = {}) {
  const res = await t
    .http()
    .post('/v1/sessions')
    .set(auth(token))
    .send({ agentId: 'echo', ...body });
  if (res.status !== 201) throw new Error(`createSession: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; userId: string; status: string; eventCount: number };
}

export async function say(t: TestApp, token: string, sessionId: string, message: string, wait = true) {
  return t
    .http()
    .post(`/v1/sessions/${sessionId}/events${wait ? '?wait=true' : ''}`)
    .set(auth(token))
    .send({ parts: text(message) });
}

/** Polls until the predicate holds (for effects of background work); fails the test after the timeout. */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
