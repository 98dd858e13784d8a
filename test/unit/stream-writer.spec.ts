import { Writable } from 'node:stream';
import type { Response } from 'express';
import { StreamWriter } from '../../src/platform/http/stream-writer.js';

/** A response whose client takes nothing until `take()` is called: writes stay buffered, like a full socket. */
function slowClient(highWaterMark = 1024) {
  const pending: Array<() => void> = [];
  const received: Array<string | Buffer> = [];
  const res = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      pending.push(() => {
        received.push(chunk);
        callback();
      });
    },
  });
  const take = () => pending.splice(0).forEach((done) => done());
  return { res: res as unknown as Response & Writable, received, take };
}

const limits = { writeTimeoutMs: 200, maxBufferedBytes: 10_000 };
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('StreamWriter', () => {
  it('resolves a write only once the client has taken it, and keeps later writes queued in order', async () => {
    const client = slowClient();
    const writer = new StreamWriter(client.res, { ...limits, writeTimeoutMs: 5_000 });
    let firstDone = false;
    const first = writer.write('a'.repeat(2_000)).then((ok) => (firstDone = ok));
    const second = writer.write('b');
    await tick();
    expect(firstDone).toBe(false);
    expect(writer.bufferedBytes).toBe(2_001);
    client.take();
    await first;
    expect(firstDone).toBe(true);
    await tick();
    client.take();
    expect(await second).toBe(true);
    expect(client.received).toEqual(['a'.repeat(2_000), 'b']);
    expect(writer.bufferedBytes).toBe(0);
  });

  it('closes the connection when a write is not taken within the write timeout', async () => {
    const client = slowClient();
    const writer = new StreamWriter(client.res, limits);
    const started = Date.now();
    expect(await writer.write('x'.repeat(4_000))).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(client.res.destroyed).toBe(true);
    expect(await writer.write('more')).toBe(false);
  });

  it('lets one write exceed the byte budget alone, and closes the connection when queued writes pass it', async () => {
    const client = slowClient();
    const writer = new StreamWriter(client.res, { ...limits, writeTimeoutMs: 5_000 });
    void writer.write('x'.repeat(12_000));
    await tick();
    expect(client.res.destroyed).toBe(false);
    expect(await writer.write('y'.repeat(100))).toBe(false);
    expect(client.res.destroyed).toBe(true);
  });

  it('ends the response after what is queued', async () => {
    const client = slowClient();
    const writer = new StreamWriter(client.res, limits);
    void writer.write('last');
    const ended = writer.end();
    await tick();
    client.take();
    await ended;
    expect(client.received).toEqual(['last']);
    expect(client.res.writableEnded).toBe(true);
  });

  it('hands pieces over as one chunk: a string when small, the UTF-8 bytes of a big one', async () => {
    const client = slowClient(1 << 20);
    const writer = new StreamWriter(client.res, { writeTimeoutMs: 5_000, maxBufferedBytes: 1 << 20 });
    const big = ['\u00e9'.repeat(10_000), 'x'.repeat(10_000), '\u{1F600}'];
    const written = Promise.all([writer.write(['a', 'b']), writer.write(big)]);
    for (let i = 0; i < 3; i++) {
      await tick();
      client.take();
    }
    expect(await written).toEqual([true, true]);
    expect(client.received.map((c) => (typeof c === 'string' ? c : `bytes:${c.toString('utf8')}`))).toEqual([
      'ab',
      `bytes:${big.join('')}`,
    ]);
  });
});
