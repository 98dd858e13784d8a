import { Injectable } from '@nestjs/common';
import { ownerScope, readsAllUsers, assertReviewer, type AuthContext } from '../../identity/auth/auth-context.js';
import { Errors } from '../../platform/errors/domain-error.js';
import { fetchPage, keysetCursor } from '../../platform/http/pagination.js';
import { ConversationReader } from '../../conversation/conversation.reader.js';
import type { AnnotationRecord } from './annotation.record.js';
import { AnnotationsRepository } from './annotations.repository.js';

export interface AnnotationInput {
  text?: string;
  labels?: string[];
  seq?: number;
  shared?: boolean;
}

export interface AnnotationPage {
  data: AnnotationRecord[];
  nextCursor: string | null;
}

const EXPORT_PAGE = 500;

/**
 * Reviewers and admins annotate any session; only admins share an annotation with the session's owner.
 * Owners read the shared ones of their own sessions; everyone else gets 404 for a session they cannot see.
 */
@Injectable()
export class AnnotationsService {
  constructor(
    private readonly annotations: AnnotationsRepository,
    private readonly conversation: ConversationReader,
  ) {}

  async create(auth: AuthContext, sessionId: string, input: AnnotationInput): Promise<AnnotationRecord> {
    assertReviewer(auth);
    if (input.shared && auth.role !== 'admin') throw Errors.forbidden('only admins share annotations with users');
    const text = input.text?.trim() || null;
    const labels = [...new Set((input.labels ?? []).map((label) => label.trim()))];
    if (!text && labels.length === 0)
      throw Errors.badRequest('annotation/empty', 'an annotation needs a text or at least one label');
    if (!(await this.conversation.session(sessionId))) throw Errors.sessionNotFound();
    const eventId = input.seq === undefined ? null : await this.eventAt(sessionId, input.seq);
    return this.annotations.insert({
      sessionId,
      seq: input.seq ?? null,
      eventId,
      text,
      labels,
      shared: input.shared ?? false,
      authorId: auth.userId,
      authorRole: auth.role === 'admin' ? 'admin' : 'reviewer',
    });
  }

  async list(auth: AuthContext, sessionId: string, query: { limit: number; cursor?: string }): Promise<AnnotationPage> {
    if (!(await this.conversation.session(sessionId, ownerScope(auth)))) throw Errors.sessionNotFound();
    const after = query.cursor ? keysetCursor.decode(query.cursor) : undefined;
    const page = await fetchPage(
      query.limit,
      (limit) => this.annotations.list({ sessionId, sharedOnly: !readsAllUsers(auth), after, limit }),
      (last) => keysetCursor.encode(last),
    );
    return { data: page.data, nextCursor: page.next };
  }

  /** Every annotation the caller may see, page by page, for a transcript export (the caller's access is checked there). */
  async *forExport(auth: AuthContext, sessionId: string): AsyncGenerator<AnnotationRecord[]> {
    const sharedOnly = !readsAllUsers(auth);
    let after: AnnotationRecord | undefined;
    for (;;) {
      const page = await this.annotations.list({ sessionId, sharedOnly, after, limit: EXPORT_PAGE });
      if (page.length > 0) yield page;
      if (page.length < EXPORT_PAGE) return;
      after = page[page.length - 1];
    }
  }

  private async eventAt(sessionId: string, seq: number): Promise<string> {
    const [event] = await this.conversation.eventsAfter(sessionId, seq - 1, 1);
    if (event?.seq !== seq)
      throw Errors.badRequest('annotation/unknown_event', `the session has no event with seq ${seq}`);
    return event.id;
  }
}
