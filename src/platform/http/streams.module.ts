import { Global, Module } from '@nestjs/common';
import { OpenStreams } from './open-streams.service.js';
import { StreamBudget } from './stream-budget.js';

/**
 * One registry of open streams and exports per instance, so the per-token cap counts both, and one memory
 * budget they share.
 */
@Global()
@Module({
  providers: [OpenStreams, StreamBudget],
  exports: [OpenStreams, StreamBudget],
})
export class StreamsModule {}
