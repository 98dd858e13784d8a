import { Module } from '@nestjs/common';
import { ConversationModule } from '../conversation/conversation.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { LiveModule } from '../live/live.module.js';
import { StreamsModule } from '../platform/http/streams.module.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { A2aAgentCards } from './a2a-agent-card.builder.js';
import { A2aEndpoints } from './a2a-endpoints.service.js';
import { A2aLiveFeeds } from './a2a-live-feed.service.js';
import { A2aPushRenderer } from './a2a-push.store.js';
import { A2aHandlerDeps } from './a2a-request.handler.js';
import { A2aSendPreparer } from './a2a-send.preparer.js';
import { A2aSessionExecutor } from './a2a-session.executor.js';
import { A2aTaskReader } from './a2a-task.store.js';
import { A2aWriteGuard } from './a2a-write.guard.js';
import { A2aController } from './a2a.controller.js';

/**
 * Every configured agent as an A2A (v1.0, with v0.3 compatibility) server, built from @a2a-js/sdk's request
 * handler and Express transports on the service's own tasks, events and worker. See A2aController for the paths.
 */
@Module({
  imports: [ConversationModule, RuntimeModule, LiveModule, IdentityModule, StreamsModule, DeliveryModule],
  controllers: [A2aController],
  providers: [
    A2aAgentCards,
    A2aTaskReader,
    A2aLiveFeeds,
    A2aSendPreparer,
    A2aSessionExecutor,
    A2aHandlerDeps,
    A2aEndpoints,
    A2aWriteGuard,
    A2aPushRenderer,
  ],
})
export class A2aModule {}
