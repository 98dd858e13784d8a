import { Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService, registerAs } from '@nestjs/config';
import { AgentCatalog } from './agent-config.js';
import { AppConfig } from './app-config.js';

/** Reads `.env` (if present) and the environment once, validates it, and provides the typed AppConfig. */
export const appConfigFactory = registerAs('app', () => AppConfig.fromEnv(process.env));

@Global()
@Module({
  imports: [ConfigModule.forRoot({ cache: true, load: [appConfigFactory] })],
  providers: [
    {
      provide: AppConfig,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => config.getOrThrow<AppConfig>('app'),
    },
    {
      provide: AgentCatalog,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new AgentCatalog(config.agents.file, config.agents.defaultAgentId),
    },
  ],
  exports: [AppConfig, AgentCatalog],
})
export class AppConfigModule {}
