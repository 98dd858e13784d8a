import { Module } from '@nestjs/common';
import { ConversationModule } from '../conversation/conversation.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { StreamController } from './http/stream.controller.js';
import { TurnsController } from './http/turns.controller.js';
import { WsTicketsController } from './http/ws-tickets.controller.js';
import { SessionFeedService } from './session-feed.service.js';
import { SessionStreamService } from './session-stream.service.js';
import { SessionSocketGateway, SocketErrorFilter } from './socket/session-socket.gateway.js';
import { SocketAdmission } from './socket/socket-admission.service.js';
import { SocketConnections } from './socket/socket-connections.service.js';
import { TaskDeltasService } from './task-deltas.service.js';
import { TurnStreamService } from './turn-stream.service.js';

/**
 * Live views of a conversation: the session feed over SSE and over a WebSocket (with its tickets), streamed
 * turns and text deltas.
 */
@Module({
  imports: [ConversationModule, IdentityModule],
  controllers: [StreamController, TurnsController, WsTicketsController],
  providers: [
    SessionFeedService,
    SessionStreamService,
    TurnStreamService,
    TaskDeltasService,
    SocketAdmission,
    SocketConnections,
    SocketErrorFilter,
    SessionSocketGateway,
  ],
  exports: [TaskDeltasService],
})
export class LiveModule {}
