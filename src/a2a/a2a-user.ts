import { UnauthenticatedUser, type ServerCallContext, type User } from '@a2a-js/sdk/server';
import type { UserBuilder } from '@a2a-js/sdk/server/express';
import type { Request } from 'express';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { Errors } from '../platform/errors/domain-error.js';

/** What an A2A call looked like on the wire, for the access log. */
export interface A2aCall {
  path: string;
  /** the JSON-RPC method as sent, or the HTTP method for HTTP+JSON */
  method: string;
}

/** The caller of an A2A request, as the SDK passes it along in `ServerCallContext.user`. */
export class A2aUser implements User {
  readonly isAuthenticated = true;
  constructor(
    readonly auth: AuthContext,
    readonly call: A2aCall,
  ) {}

  get userName(): string {
    return this.auth.userId;
  }
}

/** The SDK's user builder: the AuthContext the global bearer guard put on `req.user`. */
export const a2aUserBuilder: UserBuilder = async (req: Request) => {
  const auth = (req as Request & { user?: AuthContext }).user;
  if (!auth) return new UnauthenticatedUser();
  const path = req.originalUrl.split('?')[0];
  const rpcMethod = (req.body as { method?: unknown } | undefined)?.method;
  const method = path.endsWith('/jsonrpc') && typeof rpcMethod === 'string' ? rpcMethod : req.method;
  return new A2aUser(auth, { path, method });
};

function userOf(context: ServerCallContext | undefined): A2aUser {
  const user = context?.user;
  if (!(user instanceof A2aUser)) throw Errors.unauthorized();
  return user;
}

/** The AuthContext of an A2A call; every A2A route but the cards requires one. */
export function authOf(context: ServerCallContext | undefined): AuthContext {
  return userOf(context).auth;
}

export function callOf(context: ServerCallContext | undefined): A2aCall {
  return userOf(context).call;
}
