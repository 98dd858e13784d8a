import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { DomainError, Errors } from '../../src/platform/errors/domain-error.js';
import { AllExceptionsFilter } from '../../src/platform/errors/all-exceptions.filter.js';

describe('AllExceptionsFilter.map', () => {
  const filter = new AllExceptionsFilter();

  it('maps a DomainError to its own status, code and message', () => {
    const mapped = filter.map(Errors.sessionNotFound());
    expect(mapped.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'session/not_found',
      message: 'session not found',
    });
  });

  it('keeps DomainError details and headers', () => {
    const mapped = filter.map(Errors.badRequest('request/invalid', 'bad input', ['a is wrong', 'b is wrong']));
    expect(mapped.body).toMatchObject({
      statusCode: 400,
      code: 'request/invalid',
      details: ['a is wrong', 'b is wrong'],
    });
    const unavailable = filter.map(Errors.databaseUnavailable());
    expect(unavailable.body.statusCode).toBe(503);
    expect(unavailable.headers).toEqual({ 'Retry-After': '2' });
  });

  it('maps a custom DomainError with an unusual status', () => {
    const mapped = filter.map(new DomainError('custom/teapot', 'short and stout', 418));
    expect(mapped.body).toMatchObject({ statusCode: 418, code: 'custom/teapot', message: 'short and stout' });
  });

  it('maps NotFoundException to 404 route/not_found', () => {
    const mapped = filter.map(new NotFoundException());
    expect(mapped.body.statusCode).toBe(404);
    expect(mapped.body.code).toBe('route/not_found');
    expect(mapped.body.error).toBe('Not Found');
  });

  it('maps other HttpExceptions by status', () => {
    expect(filter.map(new ForbiddenException()).body.code).toBe('auth/forbidden');
    expect(filter.map(new PayloadTooLargeException()).body).toMatchObject({
      statusCode: 413,
      code: 'request/too_large',
    });
    expect(filter.map(new HttpException('odd', 418)).body).toMatchObject({
      statusCode: 418,
      code: 'request/error',
      message: 'odd',
    });
    expect(filter.map(new HttpException('boom', 502)).body).toMatchObject({ statusCode: 502, code: 'internal' });
  });

  it('turns validation message arrays into details', () => {
    const mapped = filter.map(new BadRequestException(['name must be a string', 'age must be an integer']));
    expect(mapped.body).toMatchObject({
      statusCode: 400,
      code: 'request/bad_request',
      message: 'name must be a string',
      details: ['name must be a string', 'age must be an integer'],
    });
  });

  it('maps a body-parser "entity.too.large" error to 413 request/too_large', () => {
    const mapped = filter.map({ type: 'entity.too.large', status: 413 });
    expect(mapped.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      code: 'request/too_large',
      message: 'request body exceeds the size limit',
    });
  });

  it('maps a body-parser parse failure to 400 request/invalid_json', () => {
    const error = Object.assign(new SyntaxError('Unexpected token } in JSON at position 7'), {
      type: 'entity.parse.failed',
      status: 400,
    });
    const mapped = filter.map(error);
    expect(mapped.body).toMatchObject({
      statusCode: 400,
      code: 'request/invalid_json',
      message: 'request body is not valid JSON',
    });
  });

  it('maps an unknown Error to a 500 that does not leak its message', () => {
    const mapped = filter.map(new Error('password=hunter2 in /secret/path'));
    expect(mapped.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'internal',
      message: 'internal server error',
    });
    expect(JSON.stringify(mapped)).not.toContain('hunter2');
    expect(mapped.headers).toBeUndefined();
  });

  it('maps a non-error throw value to a 500', () => {
    expect(filter.map('just a string').body).toMatchObject({
      statusCode: 500,
      code: 'internal',
      message: 'internal server error',
    });
  });

  it('does not trust a 5xx status on an unknown error object', () => {
    const mapped = filter.map(Object.assign(new Error('upstream secret'), { status: 502 }));
    expect(mapped.body).toMatchObject({ statusCode: 500, code: 'internal', message: 'internal server error' });
  });

  it('passes through 4xx status on an unknown error object', () => {
    const mapped = filter.map(Object.assign(new Error('too many'), { status: 429 }));
    expect(mapped.body).toMatchObject({ statusCode: 429, code: 'rate_limit/exceeded', message: 'too many' });
  });

  it('maps a connection refusal to 503 database/unavailable', () => {
    const mapped = filter.map(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    );
    expect(mapped.body).toMatchObject({ statusCode: 503, code: 'database/unavailable' });
    expect(mapped.headers).toEqual({ 'Retry-After': '2' });
  });
});
