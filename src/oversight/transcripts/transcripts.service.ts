import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { ownerScope, type AuthContext } from '../../identity/auth/auth-context.js';
import { Errors } from '../../platform/errors/domain-error.js';
import { OpenStreams } from '../../platform/http/open-streams.service.js';
import { StreamBudget } from '../../platform/http/stream-budget.js';
import type { StreamWriter } from '../../platform/http/stream-writer.js';
import { ConversationReader } from '../../conversation/conversation.reader.js';
import { ReplicaConversationReader } from '../../conversation/replica.reader.js';
import type { StreamedEvent } from '../../conversation/records/event.record.js';
import type { TaskStatus } from '../../conversation/records/task.record.js';
import { AnnotationsService } from '../annotations/annotations.service.js';
import { transcriptWriter, type TranscriptFormat, type TranscriptWriter } from './transcript-formats.js';

/** Pages are bounded by bytes as well as rows: a client that stops reading holds one small page (or one big event). */
const PAGE = { rows: 1_000, bytes: 256 * 1024 };

/**
 * Exports a whole session, streamed page by page (keyset on seq) and event by event, each write waiting for
 * the client to take the previous one, so memory stays flat however long the session is and however slowly
 * it is read. Task outcomes for each page come from one query. Exports count against the token's stream cap
 * and memory share.
 * They read from DATABASE_READ_URL (a replica may lag: events of the last moments may be missing).
 */
@Injectable()
export class TranscriptsService {
  constructor(
    private readonly primary: ConversationReader,
    private readonly replica: ReplicaConversationReader,
    private readonly openStreams: OpenStreams,
    private readonly annotations: AnnotationsService,
    private readonly memory: StreamBudget,
  ) {}

  async export(auth: AuthContext, sessionId: string, format: TranscriptFormat, res: Response): Promise<void> {
    const { session, reader } = await this.locate(sessionId, ownerScope(auth));
    const out = this.openStreams.claim(auth.tokenId, res);
    const writer = transcriptWriter(format);
    res.status(200);
    res.setHeader('Content-Type', writer.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="session-${session.id}.${writer.extension}"`);
    res.setHeader('Cache-Control', 'no-store');
    if (!(await out.write(writer.begin(session)))) return;
    let first = true;
    const pages = { ...PAGE, memory: this.memory.shareOf(auth.tokenId) };
    for await (const page of reader.eventPages(sessionId, 0, pages)) {
      if (!(await this.writePage(reader, page, writer, out, first))) return;
      first = false;
    }
    if (!(await this.writeAnnotations(auth, sessionId, writer, out))) return;
    await out.write(writer.end());
    await out.end();
  }

  /** Annotations follow the events: all of them for reviewers and admins, the shared ones for the owner. */
  private async writeAnnotations(
    auth: AuthContext,
    sessionId: string,
    writer: TranscriptWriter,
    out: StreamWriter,
  ): Promise<boolean> {
    if (!(await out.write(writer.annotationsBegin()))) return false;
    let first = true;
    for await (const page of this.annotations.forExport(auth, sessionId)) {
      for (const annotation of page) {
        if (!(await out.write(writer.annotation(annotation, first)))) return false;
        first = false;
      }
    }
    return true;
  }

  /** A session the replica does not have yet (created moments ago) is exported from the primary instead of a 404. */
  private async locate(sessionId: string, ownerId: string | undefined) {
    const onReplica = await this.replica.session(sessionId, ownerId);
    if (onReplica) return { session: onReplica, reader: this.replica };
    const onPrimary = await this.primary.session(sessionId, ownerId);
    if (!onPrimary) throw Errors.sessionNotFound();
    return { session: onPrimary, reader: this.primary };
  }

  private async writePage(
    reader: ConversationReader,
    page: StreamedEvent[],
    writer: TranscriptWriter,
    out: StreamWriter,
    first: boolean,
  ): Promise<boolean> {
    const statuses = await reader.taskStatuses([
      ...new Set(page.map((e) => e.taskId).filter((id): id is string => !!id)),
    ]);
    for (let i = 0; page.length > 0; i++) {
      // Taken off the page before waiting, so only its text is held while the client catches up.
      if (!(await out.write(formatRow(writer, page.shift()!, statuses, first && i === 0)))) return false;
    }
    return true;
  }
}

function formatRow(
  writer: TranscriptWriter,
  event: StreamedEvent,
  statuses: Map<string, TaskStatus>,
  first: boolean,
): string | string[] {
  return writer.row({ event, taskStatus: event.taskId ? (statuses.get(event.taskId) ?? null) : null }, first);
}
