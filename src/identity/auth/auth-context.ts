import { Errors } from '../../platform/errors/domain-error.js';

export const ROLES = ['user', 'reviewer', 'admin', 'agent'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the bearer token by the global guard and passed first to every service method. */
export interface AuthContext {
  tokenId: string;
  userId: string;
  role: Role;
  /** role `agent`: the agents whose tasks the token works on and whose sessions it reads (empty otherwise) */
  agentIds?: readonly string[];
}

/** Reviewers and admins read across all users; a plain user sees only its own data. */
export function readsAllUsers(auth: AuthContext): boolean {
  return auth.role === 'reviewer' || auth.role === 'admin';
}

/** Reviewers are read-only; agent tokens write only through the pull-worker endpoints, never as a user. */
export function assertCanWrite(auth: AuthContext): void {
  if (auth.role === 'agent') throw Errors.forbidden('an agent token may not act as a user');
  if (auth.role === 'reviewer') throw Errors.forbidden();
}

/**
 * The owner filter a query must apply for this caller (undefined: no restriction). Agent tokens have no owner
 * scope: the reads open to them use `agentReadScope` and `seesAgent`, and anything else fails closed.
 */
export function ownerScope(auth: AuthContext): string | undefined {
  if (auth.role === 'agent') throw Errors.forbidden('an agent token may not do this');
  return readsAllUsers(auth) ? undefined : auth.userId;
}

/** Writes are scoped to the owner unless the caller is an admin. */
export function writeScope(auth: AuthContext): string | undefined {
  if (auth.role === 'agent') throw Errors.forbidden('an agent token may not act as a user');
  return auth.role === 'admin' ? undefined : auth.userId;
}

/**
 * The owner filter of a read that agent tokens may make too (a session, its events and tasks): none for an
 * agent token, whose reach is any user's sessions of its agents, checked on the row with `seesAgent`.
 */
export function agentReadScope(auth: AuthContext): string | undefined {
  return auth.role === 'agent' ? undefined : ownerScope(auth);
}

/** Whether the caller may see a session or task of this agent: always, unless it is an agent token of others. */
export function seesAgent(auth: AuthContext, agentId: string): boolean {
  return auth.role !== 'agent' || (auth.agentIds ?? []).includes(agentId);
}

/** Review tools are for support staff: reviewers and admins. */
export function assertReviewer(auth: AuthContext): void {
  if (!readsAllUsers(auth)) throw Errors.forbidden('this requires a reviewer or admin token');
}

export function assertAdmin(auth: AuthContext): void {
  if (auth.role !== 'admin') throw Errors.forbidden('this requires an admin token');
}

/** The pull-worker endpoints are for agent tokens only. */
export function assertAgent(auth: AuthContext): void {
  if (auth.role !== 'agent') throw Errors.forbidden('this requires an agent token');
}

/**
 * Whether a turn's outcome may patch `app:` state (shared by every user of the agent). `auth` is who reports
 * the outcome: undefined for the service's own hosted agents (allowed), else the caller's token. Admins may,
 * and agent tokens bound to the agent (pull workers); user tokens may not.
 */
export function mayWriteAppState(auth: AuthContext | undefined, agentId: string): boolean {
  if (!auth) return true;
  return auth.role === 'admin' || (auth.role === 'agent' && (auth.agentIds ?? []).includes(agentId));
}
