import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postWebhook } from '../../src/delivery/webhook-http.js';
import { backoffMs } from '../../src/delivery/delivery-worker.service.js';
import { checkWebhookUrl, isPublicAddress } from '../../src/platform/webhooks/url-guard.js';
import { newWebhookSecret, signatureHeader } from '../../src/platform/webhooks/webhook-signature.js';

describe('webhook delivery rules', () => {
  it('tells public addresses from loopback, private, link-local, metadata and other special ones', () => {
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect([address, isPublicAddress(address)]).toEqual([address, true]);
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00:ec2::254',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      'not-an-ip',
    ])
      expect([address, isPublicAddress(address)]).toEqual([address, false]);
    expect(isPublicAddress('172.32.0.1')).toBe(true);
  });

  it('refuses non-http schemes and credentials even when private targets are allowed', async () => {
    await expect(checkWebhookUrl('ftp://example.com/x', true)).rejects.toMatchObject({ code: 'webhook/url_refused' });
    await expect(checkWebhookUrl('http://u:p@example.com/x', true)).rejects.toMatchObject({
      code: 'webhook/url_refused',
    });
    await expect(checkWebhookUrl('http://127.0.0.1:9/x', true)).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl('http://127.0.0.1:9/x', false)).rejects.toMatchObject({ status: 400 });
  });

  it('backs off exponentially with equal jitter, capped', () => {
    expect(backoffMs(1, 1000, 60_000, 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, 1)).toBe(1000);
    expect(backoffMs(3, 1000, 60_000, 0)).toBe(2000);
    expect(backoffMs(3, 1000, 60_000, 1)).toBe(4000);
    expect(backoffMs(30, 1000, 60_000, 1)).toBe(60_000);
    expect(backoffMs(30, 1000, 60_000, 0)).toBe(30_000);
  });

  it('signs "<t>.<body>" with HMAC-SHA256 of the secret', () => {
    const secret = newWebhookSecret();
    const now = new Date('2026-11-30T00:00:00Z');
    const header = signatureHeader(secret, '{"a":1}', now);
    const t = Math.floor(now.getTime() / 1000);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.{"a":1}`).digest('hex')}`);
    expect(signatureHeader(newWebhookSecret(), '{"a":1}', now)).not.toBe(header);
  });

  describe('posting', () => {
    let server: Server;
    let url = '';
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/redirect') res.writeHead(302, { Location: '/ok' }).end();
        else if (req.url === '/ok') res.writeHead(204).end();
        // '/hang': never answers
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const post = (path: string, allowPrivate = true) =>
      postWebhook({ url: `${url}${path}`, body: '{}', headers: {}, timeoutMs: 300, allowPrivate });

    it('reports the status code, follows no redirect, and times out', async () => {
      expect(await post('/ok')).toEqual({ statusCode: 204 });
      expect(await post('/redirect')).toEqual({ statusCode: 302 });
      expect(await post('/hang')).toMatchObject({ error: 'timed out', refused: false });
    });

    it('refuses a private address before connecting unless allowed, by address or by name', async () => {
      expect(await post('/ok', false)).toMatchObject({ refused: true });
      const byName = await postWebhook({
        url: `${url.replace('127.0.0.1', 'localhost')}/ok`,
        body: '{}',
        headers: {},
        timeoutMs: 300,
        allowPrivate: false,
      });
      expect(byName).toMatchObject({ refused: true, error: expect.stringMatching(/non-public/) });
    });
  });
});
