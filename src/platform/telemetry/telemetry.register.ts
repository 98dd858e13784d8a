import { createRequire } from 'node:module';
import type * as TelemetrySdk from './telemetry.sdk.js';
import { tracingEnabled } from './telemetry.state.js';

// Imported first by main.ts: instrumentations patch node:http, express and pg only when registered before
// those are loaded. The SDK itself is loaded only when tracing is configured, so with no
// OTEL_EXPORTER_OTLP_ENDPOINT nothing of it runs (the API's no-op tracer answers every span call).
if (tracingEnabled(process.env)) {
  const sdk = createRequire(__filename)('./telemetry.sdk.js') as typeof TelemetrySdk;
  sdk.startTelemetry(process.env);
}
