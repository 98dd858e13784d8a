import { createHmac, randomBytes } from 'node:crypto';

/** A new signing secret for a session webhook (shown to its owner once). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * The `Webhook-Signature` header of a delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` keyed
 * with the webhook's secret. A receiver recomputes it over the raw body and compares in constant time, and
 * refuses a `t` too far from its clock (replays).
 */
export function signatureHeader(secret: string, body: string, now = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
