import { Logger } from '@nestjs/common';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { setTelemetry, telemetryRunning, tracingEnabled } from './telemetry.state.js';
import { TokenRedactionProcessor } from './token-redaction.processor.js';

const QUIET_PATHS = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

/**
 * Starts the OpenTelemetry trace SDK: spans batched to the OTLP/HTTP (JSON) exporter, which reads the standard
 * OTEL_EXPORTER_OTLP_* variables (endpoint, headers, timeout) itself, and instrumentation of incoming and
 * outgoing HTTP (node:http), Express routes, Nest controllers and pg queries. Must run before those modules are
 * loaded.
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): boolean {
  if (telemetryRunning() || !tracingEnabled(env)) return false;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'agent-session-service' }),
    spanProcessors: [new TokenRedactionProcessor(), new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => QUIET_PATHS.has((req.url ?? '').split('?')[0]),
      }),
      // route handlers only: a span for each of the ~10 global middlewares would bury the request's own work
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      // a span per handled request (controller and handler names); 0.69.0 is pinned (README, Tracing)
      new NestInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  setTelemetry({
    shutdown: async () => {
      unregister();
      await provider.shutdown();
    },
  });
  new Logger('Telemetry').log('OpenTelemetry tracing on: spans are exported over OTLP/HTTP');
  return true;
}
