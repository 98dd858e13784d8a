import './platform/telemetry/telemetry.register.js';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { AppConfig } from './platform/config/app-config.js';
import { errorMessage } from './platform/errors/error-message.js';
import { preflightConfig } from './platform/config/preflight.js';
import { withoutTracing } from './platform/telemetry/tracing.js';

async function bootstrap(): Promise<void> {
  preflightConfig();
  const app = await withoutTracing(() =>
    NestFactory.create<NestExpressApplication>(AppModule, {
      bufferLogs: true,
      bodyParser: false,
      abortOnError: false,
    }),
  );
  configureApp(app);
  const config = app.get(AppConfig);
  await app.listen(config.http.port, config.http.host);
  new Logger('Bootstrap').log(`listening on http://${config.http.host}:${config.http.port} (API docs at /docs)`);
}

bootstrap().catch((error: unknown) => {
  // The logger may not exist yet (bad configuration, unreachable database): say why on stderr and exit.
  process.stderr.write(`failed to start: ${errorMessage(error)}\n`);
  process.exit(1);
});
