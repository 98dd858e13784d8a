import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { RedisConnection } from './redis-connection.js';

@Module({
  providers: [
    {
      // Resolved before anything that needs it, so a Redis that is down stops the boot with its reason.
      provide: RedisConnection,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => RedisConnection.open(config.redis),
    },
  ],
  exports: [RedisConnection],
})
export class RedisModule {}
