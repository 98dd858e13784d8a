import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { AppConfig } from '../platform/config/app-config.js';
import type { AppendEventDto } from '../conversation/http/dto/append-event.dto.js';
import { toEventDto } from '../conversation/http/dto/event.dto.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import { EventsService } from '../conversation/events.service.js';
import { toTaskDto } from '../conversation/http/dto/task.dto.js';
import { isSettled, type TaskRecord } from '../conversation/records/task.record.js';
import { TaskWaiter } from '../conversation/task-waiter.service.js';
import { OpenStreams } from '../platform/http/open-streams.service.js';
import { openSse, type SseStream } from '../platform/http/sse.js';
import { TaskDeltasService, type TaskDelta } from './task-deltas.service.js';

/**
 * `POST /v1/sessions/:id/events` with `Accept: text/event-stream`: stores the message like any other, then
 * streams the agent's answer as it is produced (`message.delta`), the stored answer (`session.event`) and the
 * task's final status. The task runs in the worker either way: a client that disconnects loses nothing, and
 * one that stops reading is disconnected once its unread deltas pass the stream's byte budget or time out.
 */
@Injectable()
export class TurnStreamService {
  constructor(
    private readonly events: EventsService,
    private readonly reader: ConversationReader,
    private readonly waiter: TaskWaiter,
    private readonly deltas: TaskDeltasService,
    private readonly config: AppConfig,
    private readonly openStreams: OpenStreams,
  ) {}

  async stream(
    auth: AuthContext,
    sessionId: string,
    input: AppendEventDto,
    res: Response,
    options: { newTask?: boolean } = {},
  ): Promise<void> {
    // The slot is taken before the message is stored: a 429 must not leave a stored turn behind.
    const writer = this.openStreams.claim(auth.tokenId, res);
    // The message may answer a task that waits for input, so which task streams is known only once it is stored.
    let taskId: string | undefined;
    const early: TaskDelta[] = [];
    const buffered: string[] = [];
    let sse: SseStream | undefined;
    const offDelta = this.deltas.subscribeSession(sessionId, (delta) => {
      if (taskId === undefined) early.push(delta);
      else if (delta.taskId !== taskId) return;
      else if (sse) void sse.send('message.delta', { taskId, index: delta.index, text: delta.text });
      else buffered.push(delta.text);
    });
    try {
      const outcome = await this.events.append(auth, sessionId, input, { newTask: options.newTask });
      taskId = outcome.task.id;
      buffered.push(...early.filter((delta) => delta.taskId === taskId).map((delta) => delta.text));
      sse = openSse(res, writer, outcome.created ? 202 : 200);
      void sse.send('session.event', toEventDto(outcome.event), outcome.event.seq);
      void sse.send('task.status', toTaskDto(outcome.task));
      if (buffered.length > 0) void sse.send('message.delta', { taskId, index: 0, text: buffered.join('') });
      await this.follow(outcome.task, sse);
      await sse.end();
    } finally {
      offDelta();
    }
  }

  /** Waits for the task to settle, then sends the stored answer and the final status. */
  private async follow(initial: TaskRecord, sse: SseStream): Promise<void> {
    const disconnected = new AbortController();
    void sse.closed.then(() => disconnected.abort());
    const task = isSettled(initial)
      ? initial
      : await this.waiter.waitSettled(initial.id, this.config.worker.waitTimeoutMs, disconnected.signal);
    if (!task || disconnected.signal.aborted) return;
    if (task.responseEventId) {
      const response = await this.reader.event(task.sessionId, task.responseEventId);
      if (response) await sse.send('session.event', toEventDto(response), response.seq);
    }
    await sse.send('task.status', toTaskDto(task));
  }
}
