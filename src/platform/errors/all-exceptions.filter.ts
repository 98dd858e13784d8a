import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from './domain-error.js';
import { errorBody, type ErrorBody } from './error-body.js';
import { ErrorPresenters } from './error-presenters.js';
import { mapPrismaError } from './prisma-error.mapper.js';

interface Mapped {
  body: ErrorBody;
  headers?: Record<string, string>;
}

const BODY_PARSER_CODES: Record<string, [number, string, string]> = {
  'entity.too.large': [413, 'request/too_large', 'request body exceeds the size limit'],
  'entity.parse.failed': [400, 'request/invalid_json', 'request body is not valid JSON'],
  'encoding.unsupported': [415, 'request/unsupported_encoding', 'unsupported content encoding'],
  'charset.unsupported': [415, 'request/unsupported_charset', 'unsupported charset; send UTF-8'],
  'request.aborted': [400, 'request/aborted', 'request was aborted by the client'],
  'request.size.invalid': [400, 'request/size_mismatch', 'request size did not match Content-Length'],
  'stream.encoding.set': [500, 'internal', 'internal error'],
};

function bodyParserCode(error: unknown): [number, string, string] | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? BODY_PARSER_CODES[type] : undefined;
}

function httpCode(status: number): string {
  const names: Record<number, string> = {
    400: 'request/bad_request',
    401: 'auth/unauthorized',
    403: 'auth/forbidden',
    404: 'route/not_found',
    405: 'route/method_not_allowed',
    406: 'request/not_acceptable',
    409: 'conflict',
    413: 'request/too_large',
    415: 'request/unsupported_media_type',
    429: 'rate_limit/exceeded',
    503: 'service/unavailable',
  };
  return names[status] ?? (status >= 500 ? 'internal' : 'request/error');
}

function fromHttpException(exception: HttpException): Mapped {
  const status = exception.getStatus();
  const response = exception.getResponse();
  let message = exception.message;
  let details: string[] | undefined;
  if (typeof response === 'object' && response !== null) {
    const raw = (response as { message?: unknown }).message;
    if (Array.isArray(raw)) {
      details = raw.map(String);
      message = details[0] ?? message;
    } else if (typeof raw === 'string') {
      message = raw;
    }
  }
  return { body: errorBody(status, httpCode(status), message, details) };
}

/** Maps every error to the one JSON error shape; unknown errors become a logged 500 that leaks nothing. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Optional() private readonly presenters?: ErrorPresenters) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string }>();
    const res = ctx.getResponse<Response>();
    const mapped = this.map(exception);
    if (mapped.body.statusCode >= 500 && mapped.body.code === 'internal') {
      this.logger.error({ err: exception, requestId: req?.id }, 'unhandled error');
    }
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    for (const [name, value] of Object.entries(mapped.headers ?? {})) res.setHeader(name, value);
    if (req?.id) mapped.body.requestId = String(req.id);
    const presented = req ? this.presenters?.present(mapped.body, req) : undefined;
    res.status(presented?.status ?? mapped.body.statusCode).json(presented ? presented.body : mapped.body);
  }

  map(exception: unknown): Mapped {
    // Nest's Express adapter wraps errors of body-parser and the router in an HttpException; the cause says what happened.
    const cause = exception instanceof HttpException ? exception.cause : undefined;
    if (cause instanceof DomainError || (cause instanceof Error && bodyParserCode(cause))) return this.map(cause);
    if (cause instanceof URIError)
      return { body: errorBody(400, 'request/invalid_text', 'the path is not valid percent-encoded UTF-8') };
    if (exception instanceof DomainError) {
      return {
        body: errorBody(exception.status, exception.code, exception.message, exception.details),
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    const parserCode = bodyParserCode(exception);
    if (parserCode) {
      const [status, code, message] = parserCode;
      return { body: errorBody(status, code, message) };
    }
    const prisma = mapPrismaError(exception);
    if (prisma) {
      return { body: errorBody(prisma.status, prisma.code, prisma.message, prisma.details), headers: prisma.headers };
    }
    const status = (exception as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { body: errorBody(status, httpCode(status), (exception as Error).message ?? 'bad request') };
    }
    return { body: errorBody(500, 'internal', 'internal server error') };
  }
}
