import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { bindSocketAuth } from '../../identity/auth/socket-auth.js';
import { EventsService } from '../../conversation/events.service.js';
import { AppendEventDto } from '../../conversation/http/dto/append-event.dto.js';
import { toTaskDto } from '../../conversation/http/dto/task.dto.js';
import { AllExceptionsFilter } from '../../platform/errors/all-exceptions.filter.js';
import { AppConfig } from '../../platform/config/app-config.js';
import { OpenStreams } from '../../platform/http/open-streams.service.js';
import type { StreamWriter } from '../../platform/http/stream-writer.js';
import { createValidationPipe } from '../../platform/http/validation/validation.pipe.js';
import type { JsonObject } from '../../platform/json/json.js';
import { SessionFeedService, type SessionFeed } from '../session-feed.service.js';
import { TaskDeltasService } from '../task-deltas.service.js';
import { SocketAdmission } from './socket-admission.service.js';
import { ResumeMessageDto } from './socket-messages.js';
import { socketTarget } from './socket-target.js';

interface Connection {
  auth: AuthContext;
  sessionId: string;
  writer: StreamWriter;
  feed: SessionFeed;
}

/** Close code when the token already holds MAX_STREAMS_PER_TOKEN streams (a race past the upgrade's check). */
const TRY_AGAIN_LATER = 1013;
const POLICY_VIOLATION = 1008;

/**
 * The open WebSockets of `GET /v1/sessions/:id/ws`. Each one carries its session's feed (the same as the SSE
 * stream: stored events with resume, task status) plus the deltas of streaming agents, every frame through a
 * StreamWriter counted in OpenStreams (the SSE caps: streams per token, write timeout, byte budget). Messages
 * from the client are the same operations as their HTTP routes, with the same validation and errors.
 */
@Injectable()
export class SocketConnections {
  private readonly logger = new Logger('WebSocket');
  private readonly connections = new WeakMap<WebSocket, Connection>();
  private readonly pipe = createValidationPipe();
  private readonly errors = new AllExceptionsFilter();

  constructor(
    private readonly admission: SocketAdmission,
    private readonly openStreams: OpenStreams,
    private readonly feeds: SessionFeedService,
    private readonly deltas: TaskDeltasService,
    private readonly events: EventsService,
    private readonly config: AppConfig,
  ) {}

  open(ws: WebSocket, req: IncomingMessage): void {
    const grant = this.admission.grantOf(req);
    if (!grant) return ws.close(POLICY_VIOLATION, 'not admitted');
    let writer: StreamWriter;
    try {
      writer = this.openStreams.claim(grant.auth.tokenId, socketTarget(ws));
    } catch {
      return ws.close(TRY_AGAIN_LATER, 'too many streams open for this token');
    }
    bindSocketAuth(ws, grant.auth);
    const send = (frame: object) => writer.write(JSON.stringify(frame));
    const feed = this.feeds.open(grant.auth, grant.sessionId, grant.after, {
      // {"type":"event","event":…} as JSON.stringify would write it, the event's JSON spliced in
      event: (_seq, json) => writer.write(['{"type":"event","event":', ...json, '}']),
      task: (task) => send({ type: 'task', task }),
      closed: writer.closed,
    });
    const offDeltas = this.deltas.subscribeSession(grant.sessionId, ({ taskId, index, text }) => {
      void send({ type: 'delta', taskId, index, text });
    });
    const stopKeepalive = keepAlive(ws, this.config.streams.pingIntervalMs);
    void writer.closed.then(() => {
      offDeltas();
      stopKeepalive();
    });
    this.connections.set(ws, { auth: grant.auth, sessionId: grant.sessionId, writer, feed });
  }

  /** `{type: "event", ...}`: exactly POST /v1/sessions/:id/events; the stored event then comes through the feed. */
  async post(ws: WebSocket, body: JsonObject): Promise<void> {
    const connection = this.connection(ws);
    const input = (await this.pipe.transform(body, { type: 'body', metatype: AppendEventDto })) as AppendEventDto;
    const outcome = await this.events.append(connection.auth, connection.sessionId, input);
    await connection.writer.write(JSON.stringify({ type: 'task', task: toTaskDto(outcome.task) }));
  }

  /** `{type: "resume", afterSeq}`: sends the stored events after afterSeq again, then carries on live. */
  async resume(ws: WebSocket, body: JsonObject): Promise<void> {
    const connection = this.connection(ws);
    const input = (await this.pipe.transform(body, { type: 'body', metatype: ResumeMessageDto })) as ResumeMessageDto;
    connection.feed.resume(input.afterSeq);
  }

  /** Answers a message that failed with an error frame (the HTTP error's status, code and message); the socket stays open. */
  fail(ws: WebSocket, error: unknown): void {
    const { body } = this.errors.map(error);
    if (body.statusCode >= 500) this.logger.error({ err: error }, 'a WebSocket message failed');
    const connection = this.connections.get(ws);
    const frame = JSON.stringify({
      type: 'error',
      error: { status: body.statusCode, code: body.code, message: body.message, details: body.details },
    });
    if (connection) void connection.writer.write(frame);
  }

  private connection(ws: WebSocket): Connection {
    const connection = this.connections.get(ws);
    if (!connection) throw new Error('a message arrived on a socket that was never opened');
    return connection;
  }
}

/** Pings every `intervalMs`; a peer that has not answered the previous ping by the next one is dropped. */
function keepAlive(ws: WebSocket, intervalMs: number): () => void {
  let alive = true;
  ws.on('pong', () => (alive = true));
  const timer = setInterval(() => {
    // A closing socket cannot be pinged (ws throws); its close completes or times out on its own.
    if (ws.readyState !== WebSocket.OPEN) return;
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
