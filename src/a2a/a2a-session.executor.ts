import { Injectable } from '@nestjs/common';
import { AgentEvent, type AgentExecutor, type ExecutionEventBus, type RequestContext, type ServerCallContext } from '@a2a-js/sdk/server';
import type { AppendEventDto } from '../conversation/http/dto/append-event.dto.js';
import { EventsService, type AppendOutcome } from '../conversation/events.service.js';
import { authOf } from './a2a-auth.middleware.js';
import { toAppendInput } from './a2a-input.mapper.js';
import { A2aLiveFeeds } from './a2a-live-feed.service.js';
import { A2aTaskReader, pinTask } from './a2a-task.store.js';

const INPUT_KEY = 'agentSessions.input';

/** Hands the validated message from the request handler to the executor (same ServerCallContext). */
export function setPendingInput(context: ServerCallContext, input: AppendEventDto): void {
  context.state.set(INPUT_KEY, input);
}

function pendingInput(context: ServerCallContext): AppendEventDto | undefined {
  return context.state.get(INPUT_KEY) as AppendEventDto | undefined;
}

/**
 * Bridges an A2A turn to the service's own machinery; it never calls an agent itself. The user message is
 * stored with EventsService (a new task whose id is the A2A task id, or the follow-up of a task waiting for
 * input), so it is stored exactly like REST traffic and the database-backed worker (on any instance) runs the
 * agent. Meanwhile the task's progress and streamed text arrive through NOTIFY; once the task settles, its
 * final status is published with the agent's answer.
 */
@Injectable()
export class A2aSessionExecutor implements AgentExecutor {
  constructor(
    private readonly events: EventsService,
    private readonly feeds: A2aLiveFeeds,
    private readonly reader: A2aTaskReader,
  ) {}

  readonly execute = async (request: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    let feed = this.feeds.open(request.taskId, request.contextId);
    try {
      const outcome = await this.store(request);
      if (outcome.task.id !== request.taskId) {
        // A resend of a message already stored: follow the task that message created.
        feed.close();
        feed = this.feeds.open(outcome.task.id, outcome.task.sessionId);
      }
      // As stored: the task record and the events up to this message, whatever the worker did since.
      const snapshot = await this.reader.snapshot(outcome.task, outcome.event.seq);
      pinTask(request.context, snapshot);
      bus.publish(AgentEvent.task(snapshot));
      for await (const update of this.feeds.follow(feed, outcome.task.id)) bus.publish(AgentEvent.statusUpdate(update));
    } finally {
      feed.close();
    }
  };

  /** Cancellation goes through A2aRequestHandler.cancelTask (TasksService.cancel); `execute` then sees it. */
  readonly cancelTask = async (): Promise<void> => undefined;

  private store(request: RequestContext): Promise<AppendOutcome> {
    const auth = authOf(request.context);
    const input = pendingInput(request.context) ?? toAppendInput(request.userMessage);
    return request.task
      ? this.events.continueTask(auth, request.taskId, input)
      : // A2A continues a task only by naming it: a message without a taskId is a new task (spec).
        this.events.append(auth, request.contextId, input, { taskId: request.taskId, newTask: true });
  }
}
