import { Client } from 'pg';
import { connect, type Socket } from 'node:net';

/**
 * Appends `count` agent events of about `bytesEach` bytes of text to a session straight in SQL, seconds for
 * hundreds of megabytes, extending the hash chain exactly as the append statement does (verify accepts it).
 */
export async function seedHistory(
  databaseUrl: string,
  sessionId: string,
  count: number,
  bytesEach: number,
): Promise<void> {
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) throw new Error('seedHistory: session id must be a uuid');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`
      DO $$
      DECLARE
        sid uuid := '${sessionId}';
        n int;
        prev bytea;
        eid uuid;
        body jsonb;
        at timestamptz;
      BEGIN
        SELECT event_count, last_hash INTO n, prev FROM sessions WHERE id = sid FOR UPDATE;
        FOR i IN 1..${Math.floor(count)} LOOP
          n := n + 1;
          eid := gen_random_uuid();
          at := clock_timestamp();
          body := jsonb_build_array(jsonb_build_object('kind', 'text', 'text', repeat(md5(n::text), ${Math.ceil(bytesEach / 32)})));
          prev := event_chain_hash(prev, event_canonical(eid, sid, n, 'message', 'agent', body, NULL, '{}'::jsonb,
                                                          NULL, NULL, NULL, NULL, at));
          INSERT INTO events (id, session_id, seq, type, role, parts, task_id, metadata, created_at, hash)
          VALUES (eid, sid, n, 'message', 'agent', body, NULL, '{}'::jsonb, at, prev);
        END LOOP;
        UPDATE sessions SET event_count = n, last_hash = prev, last_activity_at = now() WHERE id = sid;
      END $$;`);
  } finally {
    await client.end();
  }
}

/**
 * A client that sends one GET and then never reads: the socket is paused, so the kernel's buffers fill and
 * the server's writes stop draining. `received` counts what it read once resumed.
 */
export function stalledGet(baseUrl: string, path: string, token: string): Promise<StalledClient> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\nAccept: */*\r\n\r\n`,
      );
      socket.pause();
      resolve(new StalledClient(socket));
    });
    socket.once('error', reject);
  });
}

export class StalledClient {
  closed = false;

  constructor(readonly socket: Socket) {
    socket.on('error', () => undefined);
    socket.once('close', () => (this.closed = true));
  }

  /** Reads everything the server sent until it closes the connection; the byte count. */
  drain(timeoutMs = 10_000): Promise<number> {
    let received = 0;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`connection still open after ${timeoutMs} ms (${received} bytes read)`)),
        timeoutMs,
      );
      this.socket.on('data', (chunk: Buffer) => (received += chunk.length));
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve(received);
      });
      this.socket.resume();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}
