import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { ownerScope, type AuthContext } from '../../identity/auth/auth-context.js';
import { UpgradeAuthenticator } from '../../identity/auth/upgrade-authenticator.js';
import { AccessLogService } from '../../identity/access-log/access-log.service.js';
import { WsTicketsService, type IssuedTicket } from '../../identity/ws-tickets/ws-tickets.service.js';
import { ConversationReader } from '../../conversation/conversation.reader.js';
import { Errors } from '../../platform/errors/domain-error.js';
import { OpenStreams } from '../../platform/http/open-streams.service.js';
import { isUuid } from '../../platform/http/uuid.js';

/** What an admitted upgrade opens: whose socket, on which session, replaying after which seq. */
export interface SocketGrant {
  auth: AuthContext;
  sessionId: string;
  after: number;
}

const MAX_SEQ = 2_147_483_647;

/**
 * Who may open `GET /v1/sessions/:id/ws`, decided before the upgrade is answered, so a refusal is a plain HTTP
 * error (401 bad ticket or token, 404 a session the caller may not see, 429 too many streams) and not a socket
 * that opens and closes. It applies what the HTTP pipeline applies to the SSE stream: authentication, the
 * token's rate budget, the per-token stream cap and the access log for reviewers and admins.
 */
@Injectable()
export class SocketAdmission {
  private readonly grants = new WeakMap<IncomingMessage, SocketGrant>();

  constructor(
    private readonly authenticator: UpgradeAuthenticator,
    private readonly tickets: WsTicketsService,
    private readonly reader: ConversationReader,
    private readonly openStreams: OpenStreams,
    private readonly accessLog: AccessLogService,
  ) {}

  /** `POST /v1/ws-tickets`: a ticket for one of the caller's sessions (404 for any other). */
  async issueTicket(auth: AuthContext, sessionId: string): Promise<IssuedTicket> {
    const session = await this.reader.session(sessionId, ownerScope(auth));
    if (!session) throw Errors.sessionNotFound();
    return this.tickets.issue(auth, sessionId);
  }

  async admit(
    req: IncomingMessage,
    upgrade: { sessionId: string; query: URLSearchParams; address: string },
  ): Promise<void> {
    const { sessionId, query } = upgrade;
    const caller = await this.authenticator.authenticate(req, query, upgrade.address);
    // A ticket opens the session it was issued for; presented for another, it is as good as none (and spent).
    if (caller.ticketSessionId !== undefined && caller.ticketSessionId !== sessionId) {
      throw Errors.unauthorized('this ticket was issued for another session', true);
    }
    if (!isUuid(sessionId)) throw Errors.badRequest('request/invalid_id', 'id must be a UUID');
    const after = resumeFrom(query.get('after'));
    const session = await this.reader.session(sessionId, ownerScope(caller.auth));
    if (!session) throw Errors.sessionNotFound();
    this.openStreams.assertRoom(caller.auth.tokenId);
    void this.accessLog.recordRead(caller.auth, {
      action: 'session.ws',
      sessionId,
      detail: { path: `/v1/sessions/${sessionId}/ws`, transport: 'websocket', after },
    });
    this.grants.set(req, { auth: caller.auth, sessionId, after });
  }

  /** The grant of an upgrade `admit` accepted (undefined for any other request). */
  grantOf(req: IncomingMessage): SocketGrant | undefined {
    return this.grants.get(req);
  }
}

function resumeFrom(after: string | null): number {
  if (after === null || after === '') return 0;
  const seq = Number(after);
  if (!/^\d+$/.test(after) || seq > MAX_SEQ) {
    throw Errors.badRequest('pagination/invalid_after', 'after must be an integer between 0 and 2147483647');
  }
  return seq;
}
