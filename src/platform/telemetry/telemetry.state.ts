/** The running tracing SDK, if telemetry.sdk.ts started one; read without loading the SDK. */
export interface TelemetryHandle {
  /** exports what is buffered, then stops */
  shutdown(): Promise<void>;
}

let running: TelemetryHandle | undefined;

export function setTelemetry(handle: TelemetryHandle | undefined): void {
  running = handle;
}

export function telemetryRunning(): boolean {
  return running !== undefined;
}

/** Flushes and stops the SDK (at application shutdown); a no-op when tracing is off. */
export async function shutdownTelemetry(): Promise<void> {
  const handle = running;
  running = undefined;
  await handle?.shutdown();
}

/** Tracing is on when an OTLP endpoint is configured by the standard variables, and not disabled. */
export function tracingEnabled(env: NodeJS.ProcessEnv): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return !!endpoint && env.OTEL_SDK_DISABLED !== 'true' && env.OTEL_TRACES_EXPORTER !== 'none';
}
