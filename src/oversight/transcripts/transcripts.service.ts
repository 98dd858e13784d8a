import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { once } from 'node:events';
import { ownerScope, type AuthContext } from '../../identity/auth/auth-context.js';
import { Errors } from '../../platform/errors/domain-error.js';
import { ConversationReader } from '../../conversation/conversation.reader.js';
import { transcriptWriter, type TranscriptFormat } from './transcript-formats.js';

const PAGE = 1_000;

/**
 * Exports a whole session, streamed page by page (keyset on seq) with backpressure, so memory stays flat
 * however long the session is. Task outcomes for each page come from one query.
 */
@Injectable()
export class TranscriptsService {
  constructor(private readonly reader: ConversationReader) {}

  async export(auth: AuthContext, sessionId: string, format: TranscriptFormat, res: Response): Promise<void> {
    const session = await this.reader.session(sessionId, ownerScope(auth));
    if (!session) throw Errors.sessionNotFound();
    const writer = transcriptWriter(format);
    res.status(200);
    res.setHeader('Content-Type', writer.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="session-${session.id}.${writer.extension}"`);
    res.setHeader('Cache-Control', 'no-store');
    const closed = new Promise<void>((resolve) => res.once('close', resolve));
    await write(res, writer.begin(session), closed);
    let after = 0;
    let first = true;
    for (;;) {
      const page = await this.reader.eventsAfter(sessionId, after, PAGE);
      const statuses = await this.reader.taskStatuses([...new Set(page.map((e) => e.taskId).filter((id): id is string => !!id))]);
      let chunk = '';
      for (const event of page) {
        chunk += writer.row({ event, taskStatus: event.taskId ? (statuses.get(event.taskId) ?? null) : null }, first);
        first = false;
      }
      if (!(await write(res, chunk, closed))) return;
      if (page.length < PAGE) break;
      after = page[page.length - 1].seq;
    }
    await write(res, writer.end(), closed);
    res.end();
  }
}

/** Writes and waits for the socket to drain when its buffer is full; false once the client has gone. */
async function write(res: Response, chunk: string, closed: Promise<void>): Promise<boolean> {
  if (res.destroyed) return false;
  if (!chunk || res.write(chunk)) return true;
  await Promise.race([once(res, 'drain'), closed]);
  return !res.destroyed;
}
