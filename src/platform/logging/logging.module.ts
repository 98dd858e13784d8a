import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config.js';
import { requestId } from '../http/request-id.js';
import { redactAccessTokens } from '../http/token-redaction.js';

/** pino request logs with a request id (X-Request-Id when the caller sends a sane one); tokens never logged. */
export const LoggingModule = LoggerModule.forRootAsync({
  // nestjs-pino 4 types these through `@nestjs/common/interfaces`, which Nest 12's exports map does not resolve:
  // the types degrade to required `any` fields, so the empty lists are spelled out.
  imports: [],
  providers: [],
  inject: [AppConfig],
  useFactory: (config: AppConfig) => ({
    pinoHttp: {
      level: config.logLevel,
      genReqId: requestId,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url && redactAccessTokens(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req: IncomingMessage, res: { statusCode: number }, err?: Error) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
    },
  }),
});
