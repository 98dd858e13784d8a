import WebSocket from 'ws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = { type: string; [key: string]: any };

export interface OpenedSocket {
  ws: WebSocket;
  frames: Frame[];
  /** the subprotocol the server selected ('' for none) */
  protocol: string;
  send(message: unknown): void;
  /** resolves with the frames so far once `accept` holds for them (fails after the timeout) */
  until(accept: (frames: Frame[]) => boolean, timeoutMs?: number): Promise<Frame[]>;
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export interface RefusedUpgrade {
  status: number;
  body: { code?: string; statusCode?: number; message?: string };
}

/** Opens a WebSocket and collects its JSON frames; a refused upgrade rejects with its status and JSON body. */
export function openSocket(
  url: string,
  protocols?: string[],
  headers?: Record<string, string>,
  options: WebSocket.ClientOptions = {},
): Promise<OpenedSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { ...options, headers });
    const frames: Frame[] = [];
    const waiters = new Set<() => void>();
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      ws.on('close', (code, reason) => done({ code, reason: reason.toString() })),
    );
    ws.on('message', (data: Buffer) => {
      frames.push(JSON.parse(data.toString('utf8')) as Frame);
      for (const wake of waiters) wake();
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => reject(Object.assign(new Error('refused'), { status: res.statusCode, body: parse(text) })));
    });
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        ws,
        frames,
        protocol: ws.protocol,
        send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
        until: (accept, timeoutMs = 10_000) =>
          new Promise((done, fail) => {
            const check = () => {
              if (!accept(frames)) return;
              cleanup();
              done(frames);
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`frames not as expected within ${timeoutMs} ms: ${JSON.stringify(frames)}`));
            }, timeoutMs);
            const cleanup = () => (clearTimeout(timer), waiters.delete(check));
            waiters.add(check);
            check();
          }),
        closed,
        close: async () => {
          ws.close();
          await closed;
        },
      }),
    );
  });
}

/** The status and body of an upgrade the server refused (fails the test if it opened). */
export async function refusedUpgrade(
  url: string,
  protocols?: string[],
  headers?: Record<string, string>,
): Promise<RefusedUpgrade> {
  try {
    const opened = await openSocket(url, protocols, headers);
    await opened.close();
  } catch (error) {
    const refused = error as Partial<RefusedUpgrade>;
    if (refused.status !== undefined) return refused as RefusedUpgrade;
    throw error;
  }
  throw new Error(`the upgrade to ${url} was accepted`);
}

function parse(text: string): RefusedUpgrade['body'] {
  try {
    return JSON.parse(text) as RefusedUpgrade['body'];
  } catch {
    return { message: text };
  }
}

export const eventSeqs = (frames: Frame[]): number[] =>
  frames.filter((f) => f.type === 'event').map((f) => f.event.seq as number);
