import { Global, Module } from '@nestjs/common';
import { OpenStreams } from './open-streams.service.js';

/** One registry of open streams and exports per instance, so the per-token cap counts both. */
@Global()
@Module({
  providers: [OpenStreams],
  exports: [OpenStreams],
})
export class StreamsModule {}
