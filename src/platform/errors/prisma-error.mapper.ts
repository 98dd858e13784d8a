import { DatabaseError } from 'pg';
import { Prisma } from '../../generated/prisma/client.js';
import { DomainError, Errors } from './domain-error.js';

const CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const PG_CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);

interface DriverCause {
  kind?: string;
  code?: string;
  constraint?: { fields?: string[]; index?: string } | string;
  originalCode?: string;
}

function driverCause(error: unknown): DriverCause | undefined {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: DriverCause } } }).meta;
  return meta?.driverAdapterError?.cause ?? (error as { cause?: DriverCause }).cause;
}

/** Whether an error means the database cannot be reached right now (the caller should retry). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  const code = (error as { code?: string }).code;
  if (code && (CONNECTION_CODES.has(code) || PG_CONNECTION_CODES.has(code))) return true;
  const cause = driverCause(error);
  if (cause?.kind === 'DatabaseNotReachable' || cause?.kind === 'ConnectionClosed' || cause?.kind === 'SocketTimeout')
    return true;
  if (cause?.originalCode && PG_CONNECTION_CODES.has(cause.originalCode)) return true;
  const message = error instanceof Error ? error.message : '';
  return /ECONNREFUSED|Connection terminated|terminating connection|database system is (starting|shutting)|Can't reach database/i.test(
    message,
  );
}

/** Maps Prisma/driver errors to domain errors; returns undefined for anything it does not recognise. */
export function mapPrismaError(error: unknown): DomainError | undefined {
  if (isDatabaseUnavailable(error)) return Errors.databaseUnavailable();
  if (error instanceof DatabaseError) return mapDriverError(error.code);
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  const cause = driverCause(error);
  if (error.code === 'P2002' || cause?.kind === 'UniqueConstraintViolation') return duplicate();
  if (error.code === 'P2025') return new DomainError('not_found', 'record not found', 404);
  if (error.code === 'P2023' || cause?.kind === 'InvalidInputValue') return invalidValue();
  return undefined;
}

/** Errors of statements sent straight through `pg` (DirectSql), by SQLSTATE, as their Prisma equivalents. */
function mapDriverError(sqlState: string | undefined): DomainError | undefined {
  if (sqlState === '23505') return duplicate();
  if (sqlState === '22P02') return invalidValue();
  return undefined;
}

// The constraint's name is the schema's business, not the client's.
const duplicate = () => new DomainError('conflict/duplicate', 'conflicts with an existing record', 409);
const invalidValue = () => Errors.badRequest('request/invalid_value', 'a value has the wrong format');
