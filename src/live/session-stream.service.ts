import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { ownerScope, type AuthContext } from '../identity/auth/auth-context.js';
import { Errors } from '../platform/errors/domain-error.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import { OpenStreams } from '../platform/http/open-streams.service.js';
import { openSse } from '../platform/http/sse.js';
import { SessionFeedService } from './session-feed.service.js';

/**
 * `GET /v1/sessions/:id/stream`: a session's feed (SessionFeedService) as Server-Sent Events, `session.event`
 * with the seq as the SSE id (so a reconnect resumes with Last-Event-ID) and `task.status`.
 */
@Injectable()
export class SessionStreamService {
  constructor(
    private readonly reader: ConversationReader,
    private readonly feed: SessionFeedService,
    private readonly openStreams: OpenStreams,
  ) {}

  async stream(auth: AuthContext, sessionId: string, after: number, res: Response): Promise<void> {
    const session = await this.reader.session(sessionId, ownerScope(auth));
    if (!session) throw Errors.sessionNotFound();
    const sse = openSse(res, this.openStreams.claim(auth.tokenId, res));
    this.feed.open(auth, sessionId, after, {
      event: (seq, json) => sse.sendJson('session.event', json, seq),
      task: (task) => sse.send('task.status', task),
      closed: sse.closed,
    });
    await sse.closed;
  }
}
