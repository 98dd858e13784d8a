import type { Server } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { buildApiDocument } from './app.openapi.js';
import { SessionSocketAdapter } from './live/socket/session-socket.adapter.js';
import { answerClientError } from './platform/http/client-error.js';
import { rejectDeepJson, rejectNulCharacters } from './platform/http/json-depth.middleware.js';
import { MetricsService } from './platform/metrics/metrics.service.js';
import { assignRequestId } from './platform/http/request-id.js';
import { rejectInvalidText, verifyUtf8Body } from './platform/http/request-text.middleware.js';
import { ShutdownGate } from './platform/http/shutdown-gate.js';
import { createValidationPipe } from './platform/http/validation/validation.pipe.js';
import { AppConfig } from './platform/config/app-config.js';

/** Everything `main.ts` and the e2e tests both apply to the app, so tests exercise what production runs. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  applyServerTimeouts(app.getHttpServer(), config.http);
  app.getHttpServer().on('clientError', answerClientError);
  app.use(assignRequestId);
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Behind a load balancer req.ip is the balancer's address unless it is trusted to name the client.
  if (config.http.trustProxy !== undefined) app.set('trust proxy', config.http.trustProxy);
  app.use(app.get(MetricsService).httpMiddleware);
  app.use(app.get(ShutdownGate).middleware);
  app.use(helmet({ contentSecurityPolicy: false }));
  // express.json itself, not useBodyParser: Nest's typing reserves `verify` for its raw-body option. A2A's media
  // type too, so its bodies get the same limits and checks, and the guards see them.
  app.use(
    json({
      type: ['application/json', 'application/a2a+json'],
      limit: config.http.bodyLimit,
      strict: true,
      verify: verifyUtf8Body,
    }),
  );
  app.use(rejectDeepJson, rejectNulCharacters, rejectInvalidText);
  app.useGlobalPipes(createValidationPipe());
  // Session WebSockets (GET /v1/sessions/:id/ws): upgrades bypass the middleware above; the adapter admits them.
  app.useWebSocketAdapter(new SessionSocketAdapter(app));
  app.enableShutdownHooks();
  const document = buildApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

/**
 * Idle keep-alive connections outlive the proxy's upstream keep-alive (Node's 5 s default does not): otherwise a
 * proxy may reuse a socket at the moment the service closes it, and that request fails with a 502.
 */
export function applyServerTimeouts(
  server: Server,
  timeouts: { keepAliveTimeoutMs: number; headersTimeoutMs: number },
): void {
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.headersTimeout = timeouts.headersTimeoutMs;
}
