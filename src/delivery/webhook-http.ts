import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, hostOf, isPublicAddress, parseWebhookUrl } from '../platform/webhooks/url-guard.js';

export interface WebhookPost {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivate: boolean;
}

/** How one attempt went: the receiver's status code, or why there was none. */
export interface PostResult {
  statusCode?: number;
  error?: string;
  /** the URL was refused before connecting (SSRF check): retrying will not help */
  refused?: boolean;
}

/** How much of a receiver's answer is read (and dropped): enough to let the connection be reused. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one delivery with node:http(s), which follows no redirect (a 3xx is an answer like any other, and not
 * a success). Not fetch: its connection cannot take a lookup hook, and the hook is what re-checks the
 * receiver's addresses at connect time (DNS rebinding). The timeout covers connect, send and the response.
 */
export function postWebhook(post: WebhookPost): Promise<PostResult> {
  let url: URL;
  try {
    url = parseWebhookUrl(post.url);
  } catch (error) {
    return Promise.resolve({ error: (error as Error).message, refused: true });
  }
  const host = hostOf(url);
  if (!post.allowPrivate && isIP(host) && !isPublicAddress(host))
    return Promise.resolve({ error: `${host} is not a public address`, refused: true });
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...post.headers, 'Content-Length': String(Buffer.byteLength(post.body)) },
    signal: AbortSignal.timeout(post.timeoutMs),
    ...(post.allowPrivate ? {} : { lookup: guardedLookup as RequestOptions['lookup'] }),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(url, options, (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      res.on('close', () => resolve({ statusCode: res.statusCode }));
      res.on('error', () => resolve({ statusCode: res.statusCode }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const refused = error.code === 'EADDRREFUSED';
      const reason = error.name === 'AbortError' || error.name === 'TimeoutError' ? 'timed out' : error.message;
      resolve({ error: reason.slice(0, 500), refused });
    });
    req.end(post.body);
  });
}
