import { Catch, Injectable, UseFilters, type ArgumentsHost, type WsExceptionFilter } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { JsonObject } from '../../platform/json/json.js';
import { SocketConnections } from './socket-connections.service.js';

/** The path of a session's socket; the adapter (session-socket.adapter.ts) matches `:id`. */
export const SESSION_SOCKET_PATH = '/v1/sessions/:id/ws';

/** Any error of a message (validation, a domain error, the guards' 401/429) becomes an error frame. */
@Injectable()
@Catch()
export class SocketErrorFilter implements WsExceptionFilter {
  constructor(private readonly connections: SocketConnections) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    this.connections.fail(host.switchToWs().getClient<WebSocket>(), exception);
  }
}

/**
 * `GET /v1/sessions/:id/ws`. Upgrades are admitted (authenticated, scoped, capped) before they are answered,
 * by SocketAdmission through the adapter; the global guards apply to every message as to a request (the
 * caller is the socket's, and each message counts against its token's rate budget).
 */
@WebSocketGateway({ path: SESSION_SOCKET_PATH })
@UseFilters(SocketErrorFilter)
export class SessionSocketGateway implements OnGatewayConnection<WebSocket> {
  constructor(private readonly connections: SocketConnections) {}

  handleConnection(ws: WebSocket, req: IncomingMessage): void {
    this.connections.open(ws, req);
  }

  @SubscribeMessage('event')
  async event(@ConnectedSocket() ws: WebSocket, @MessageBody() body: JsonObject): Promise<void> {
    await this.connections.post(ws, body);
  }

  @SubscribeMessage('resume')
  async resume(@ConnectedSocket() ws: WebSocket, @MessageBody() body: JsonObject): Promise<void> {
    await this.connections.resume(ws, body);
  }
}
