import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, readText, type LoopbackServer } from './loopback-server.js';

export interface ReceivedDelivery {
  path: string;
  headers: IncomingMessage['headers'];
  /** the raw body, as signed */
  raw: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  at: number;
}

/** Answers the nth request (1-based) of a path: a status code, or a promise that holds the request open. */
export type Answer = (nth: number) => number | Promise<number>;

/** A loopback HTTP server standing in for a webhook receiver: records every delivery, answers as scripted. */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  private readonly answers = new Map<string, Answer>();
  private server?: LoopbackServer;
  url = '';

  answer(path: string, answer: Answer): this {
    this.answers.set(path, answer);
    return this;
  }

  at(path: string): ReceivedDelivery[] {
    return this.received.filter((r) => r.path === path);
  }

  async start(): Promise<this> {
    this.server = await listenOnLoopback((req, res) => void this.handle(req, res));
    this.url = this.server.url;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readText(req);
    const path = req.url ?? '';
    this.received.push({ path, headers: req.headers, raw, body: raw ? JSON.parse(raw) : undefined, at: Date.now() });
    const status = await (this.answers.get(path) ?? (() => 200))(this.at(path).length);
    if (!res.destroyed) res.writeHead(status).end();
  }
}

/**
 * Verifies a `Webhook-Signature: t=<seconds>,v1=<hex>` header the way a receiver should: HMAC-SHA256 of
 * "<t>.<raw body>" with the webhook's secret, compared in constant time, and a timestamp within the tolerance.
 */
export function verifySignature(header: string | undefined, raw: string, secret: string, toleranceS = 300): boolean {
  const fields = Object.fromEntries((header ?? '').split(',').map((field) => field.split('=', 2)));
  const t = Number(fields.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceS || !fields.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  const given = Buffer.from(String(fields.v1), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
