import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { redactAccessTokens } from '../http/token-redaction.js';

const URL_ATTRIBUTES = ['url.full', 'url.query'] as const;

/**
 * Redacts `access_token` query parameters in the URL attributes the HTTP and Nest instrumentations record, before
 * any exporter sees the span: neither instrumentation can be told to.
 */
export class TokenRedactionProcessor implements SpanProcessor {
  onStart(span: Span, _parentContext: Context): void {
    for (const key of URL_ATTRIBUTES) {
      const value = span.attributes[key];
      if (typeof value === 'string') span.setAttribute(key, redactAccessTokens(value));
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
