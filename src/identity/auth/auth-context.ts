import { Errors } from '../../platform/errors/domain-error.js';

export const ROLES = ['user', 'reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the bearer token by the global guard and passed first to every service method. */
export interface AuthContext {
  tokenId: string;
  userId: string;
  role: Role;
}

/** Reviewers and admins read across all users; a plain user sees only its own data. */
export function readsAllUsers(auth: AuthContext): boolean {
  return auth.role === 'reviewer' || auth.role === 'admin';
}

/** Reviewers are read-only. */
export function assertCanWrite(auth: AuthContext): void {
  if (auth.role === 'reviewer') throw Errors.forbidden();
}

/** The owner filter a query must apply for this caller (undefined: no restriction). */
export function ownerScope(auth: AuthContext): string | undefined {
  return readsAllUsers(auth) ? undefined : auth.userId;
}

/** Writes are scoped to the owner unless the caller is an admin. */
export function writeScope(auth: AuthContext): string | undefined {
  return auth.role === 'admin' ? undefined : auth.userId;
}

/** Review tools are for support staff: reviewers and admins. */
export function assertReviewer(auth: AuthContext): void {
  if (!readsAllUsers(auth)) throw Errors.forbidden('this requires a reviewer or admin token');
}

export function assertAdmin(auth: AuthContext): void {
  if (auth.role !== 'admin') throw Errors.forbidden('this requires an admin token');
}

/**
 * Whether a turn's outcome may patch `app:` state (shared by every user of the agent). `auth` is who reports
 * the outcome: undefined for the service's own hosted agents (allowed), else the caller's token. Admins may;
 * user tokens may not. Agent tokens bound to `agentId` (pull workers) are to be allowed here as well.
 */
export function mayWriteAppState(auth: AuthContext | undefined, _agentId: string): boolean {
  if (!auth) return true;
  return auth.role === 'admin';
}
