import { Global, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { shutdownTelemetry } from './telemetry.state.js';

/** Exports the spans still buffered when the application stops (nothing to do when tracing is off). */
@Injectable()
export class TelemetryShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await shutdownTelemetry();
  }
}

@Global()
@Module({ providers: [TelemetryShutdown] })
export class TelemetryModule {}
