-- The W3C trace context (traceparent, tracestate) of the request that queued a task, so the worker's
-- invoke_agent span continues that request's trace. Written only while tracing is on
-- (OTEL_EXPORTER_OTLP_ENDPOINT), in the same transaction as the task; NULL otherwise. Never shown to clients.
ALTER TABLE "tasks" ADD COLUMN "trace_context" JSONB;
