import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

export { SpanKind, type Span };

/**
 * Spans through the OpenTelemetry API only. Until an SDK is registered (telemetry.sdk.ts, when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set) every call here is the API's no-op: no span is recorded or exported.
 */
const tracer = () => trace.getTracer('agent-session-service');

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** a W3C `traceparent` (and optional `tracestate`) to continue, e.g. the one stored with a queued task */
  parent?: TraceCarrier | null;
}

/** Runs `work` inside a new active span; an exception marks the span as an error and is rethrown. */
export async function withSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parent ? contextFrom(options.parent) : context.active();
  return tracer().startActiveSpan(
    name,
    { kind: options.kind, attributes: options.attributes },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * Runs `work` with tracing suppressed, for building the app: timers and listeners started while Nest creates it
 * keep the context they were started in, and would record their spans under one never-ending boot trace.
 */
export function withoutTracing<T>(work: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), work);
}

/** Marks a span as failed without an exception (a tool result flagged as an error, say). */
export function markSpanError(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** W3C trace context headers, as stored with a task so the worker's span continues the request's trace. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** The active span's context as W3C headers; undefined when nothing is being traced (no SDK, no span). */
export function currentTraceCarrier(): TraceCarrier | undefined {
  if (!trace.getActiveSpan()?.spanContext().traceId) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

function contextFrom(carrier: TraceCarrier): Context {
  return propagation.extract(ROOT_CONTEXT, carrier);
}
