import { Injectable } from '@nestjs/common';
import { AgentEvent, type AgentExecutor, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server';
import { A2aLiveFeeds } from './a2a-live-feed.service.js';
import { storedTurn } from './a2a-send.preparer.js';

/**
 * Bridges an A2A turn to the service's own machinery; it never calls an agent itself. A2aSendPreparer has
 * already stored the user message with EventsService (exactly like REST traffic), and the database-backed
 * worker (on any instance) runs the agent. This publishes the task as stored, then its progress and streamed
 * text as they arrive through NOTIFY, and once the task settles, its artifacts and its final status with the
 * agent's answer.
 */
@Injectable()
export class A2aSessionExecutor implements AgentExecutor {
  constructor(private readonly feeds: A2aLiveFeeds) {}

  readonly execute = async (request: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const turn = storedTurn(request.context);
    if (!turn) throw new Error('A2A message reached the executor without being stored');
    try {
      bus.publish(AgentEvent.task(structuredClone(turn.snapshot)));
      for await (const update of this.feeds.follow(turn.feed, turn.outcome.task.id)) {
        bus.publish(
          update.$case === 'artifactUpdate'
            ? AgentEvent.artifactUpdate(update.value)
            : AgentEvent.statusUpdate(update.value),
        );
      }
    } finally {
      turn.feed.close();
    }
  };

  /** Cancellation goes through A2aRequestHandler.cancelTask (TasksService.cancel); `execute` then sees it. */
  readonly cancelTask = async (): Promise<void> => undefined;
}
