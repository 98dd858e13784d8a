import { Logger, type INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Application } from 'express';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyAddr from 'proxy-addr';
import { lastValueFrom, type Observable } from 'rxjs';
import type { WebSocket, WebSocketServer } from 'ws';
import { AppConfig } from '../../platform/config/app-config.js';
import { AllExceptionsFilter } from '../../platform/errors/all-exceptions.filter.js';
import { DomainError, Errors } from '../../platform/errors/domain-error.js';
import { ShutdownGate } from '../../platform/http/shutdown-gate.js';
import { BEARER_SUBPROTOCOL } from '../../identity/auth/upgrade-authenticator.js';
import { SocketAdmission } from './socket-admission.service.js';
import { SocketConnections } from './socket-connections.service.js';
import { parseClientMessage } from './socket-messages.js';
import { GOING_AWAY } from './socket-target.js';

type RoutedServer = WebSocketServer & { path: string };

/** Messages a socket may have waiting to be handled; past this it is not read until they are. */
const MAX_PENDING_MESSAGES = 8;
const CLOSE_GRACE_MS = 1_000;

/**
 * Nest's `ws` adapter, with what a socket per session needs. The stock adapter routes an upgrade only to a
 * gateway whose path equals the URL's exactly, so one path per session cannot be a gateway path; this one
 * matches `:param` segments (`/v1/sessions/:id/ws`). And it answers an upgrade only after SocketAdmission has
 * decided it, so a refused one is a plain HTTP error with the service's JSON body (401, 404, 429, 503) instead
 * of a socket that opens and closes at once: the upgrade never passes the HTTP middleware and guards. Messages
 * are parsed here (bad JSON and unknown types get an error frame, never a silent drop) and handled one at a time
 * per socket, in order, reading no further while too many wait. Shutdown closes sockets with 1001.
 */
export class SessionSocketAdapter extends WsAdapter {
  private readonly log = new Logger('WebSocket');
  private readonly errors = new AllExceptionsFilter();
  private readonly config: AppConfig;
  private readonly admission: SocketAdmission;
  private readonly connections: SocketConnections;
  private readonly gate: ShutdownGate;
  private readonly express: Application;
  private server: Server | undefined;

  constructor(app: INestApplication) {
    super(app);
    this.express = app.getHttpAdapter().getInstance() as Application;
    this.config = app.get(AppConfig);
    this.admission = app.get(SocketAdmission);
    this.connections = app.get(SocketConnections);
    this.gate = app.get(ShutdownGate);
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): unknown {
    return super.create(port, {
      ...options,
      maxPayload: this.config.http.bodyLimitBytes,
      perMessageDeflate: false,
      // Browsers fail a socket whose answer names none of the offered subprotocols; never echo the token back
      // when the client offered another one to be answered with.
      handleProtocols: (offered: Set<string>) =>
        [...offered].find((name) => !name.startsWith(BEARER_SUBPROTOCOL)) ?? [...offered][0] ?? false,
    });
  }

  protected override ensureHttpServerExists(port: number, httpServer?: Server): Server | undefined {
    if (this.httpServersRegistry.has(port) || !httpServer) return super.ensureHttpServerExists(port, httpServer);
    this.httpServersRegistry.set(port, httpServer);
    this.server = httpServer;
    httpServer.on('upgrade', this.onUpgrade);
    return httpServer;
  }

  override bindMessageHandlers(
    ws: WebSocket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const byType = new Map(handlers.map((handler) => [String(handler.message), handler]));
    let pending = 0;
    let queue = Promise.resolve();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (++pending >= MAX_PENDING_MESSAGES) ws.pause();
      queue = queue
        .then(() => this.dispatch(ws, data, isBinary, byType, transform))
        .catch((error: unknown) => this.connections.fail(ws, error))
        .finally(() => --pending < MAX_PENDING_MESSAGES && ws.isPaused && ws.resume());
    });
  }

  /** Closes with 1001 so clients reconnect elsewhere and resume; those that do not answer soon are dropped. */
  override async close(server: RoutedServer): Promise<void> {
    const sockets = [...server.clients];
    const closed = sockets.map((ws) => new Promise((resolve) => ws.once('close', resolve)));
    for (const ws of sockets) ws.close(GOING_AWAY.code, GOING_AWAY.reason);
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
    await super.close(server);
  }

  override async dispose(): Promise<void> {
    this.server?.off('upgrade', this.onUpgrade);
    await super.dispose();
  }

  private async dispatch(
    ws: WebSocket,
    data: Buffer,
    isBinary: boolean,
    byType: Map<string, MessageMappingProperties>,
    transform: (data: unknown) => Observable<unknown>,
  ): Promise<void> {
    const message = parseClientMessage(data, isBinary);
    const handler = byType.get(message.type);
    if (!handler) throw Errors.badRequest('message/unknown_type', `unknown message type "${message.type}"`);
    // Nest's handler: guards, interceptors, the gateway's error filter; what it returns is not sent.
    await lastValueFrom(transform(handler.callback(message.body, message.type)), { defaultValue: undefined });
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node takes its own error listener off an upgraded socket, and admission takes a while: a client that resets
    // meanwhile would otherwise be an uncaught 'error'. `ws` adds its own once it has the socket.
    socket.on('error', dropSocket);
    void this.route(req, socket, head).catch((error: unknown) => this.refuse(socket, error));
  };

  private async route(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = URL.parse(req.url ?? '/', 'http://upgrade.invalid');
    if (!url) throw Errors.badRequest('request/malformed', 'the request is not valid HTTP');
    const match = this.match(url.pathname);
    if (!match) throw new DomainError('route/not_found', 'no WebSocket at this path', 404);
    // Checked before admission spends a ticket on a request `ws` would refuse anyway.
    if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
      throw Errors.badRequest('request/not_websocket', 'this path takes a WebSocket upgrade (GET, Upgrade: websocket)');
    }
    if (this.gate.isClosing) throw shuttingDown();
    await this.admission.admit(req, {
      sessionId: match.params.id ?? '',
      query: url.searchParams,
      address: this.clientAddress(req),
    });
    if (socket.destroyed) return;
    socket.off('error', dropSocket);
    match.server.handleUpgrade(req, socket, head, (ws) => match.server.emit('connection', ws, req));
  }

  /** The client's address as Express's req.ip names it: behind trusted proxies (TRUST_PROXY), X-Forwarded-For's. */
  private clientAddress(req: IncomingMessage): string {
    const trust = this.express.get('trust proxy fn') as Parameters<typeof proxyAddr>[1];
    return proxyAddr(req, trust);
  }

  private match(pathname: string): { server: RoutedServer; params: Record<string, string> } | undefined {
    for (const server of (this.wsServersRegistry.get(0) ?? []) as RoutedServer[]) {
      const params = matchPath(server.path, pathname);
      if (params) return { server, params };
    }
    return undefined;
  }

  /** The service's JSON error answer, on the raw socket (the upgrade request has no Express response). */
  private refuse(socket: Duplex, error: unknown): void {
    if (socket.destroyed) return;
    const { body, headers } = this.errors.map(error);
    if (body.statusCode >= 500 && body.code === 'internal') this.log.error({ err: error }, 'WebSocket upgrade failed');
    const text = JSON.stringify({ ...body, requestId: randomUUID() });
    const lines = Object.entries({ ...headers, 'Content-Type': 'application/json; charset=utf-8' }).map(
      ([name, value]) => `${name}: ${value}\r\n`,
    );
    socket.end(
      `HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode]}\r\n${lines.join('')}` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
}

function dropSocket(this: Duplex): void {
  this.destroy();
}

/** As ShutdownGate answers requests once shutdown has begun. */
const shuttingDown = () =>
  new DomainError('service/shutting_down', 'this instance is shutting down; retry', 503, undefined, {
    'Retry-After': '1',
  });

/** `/v1/sessions/:id/ws` against a path: the `:param` values, or undefined when it does not match. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const expected = pattern.split('/');
  const actual = pathname.split('/');
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    if (segment.startsWith(':')) {
      if (actual[index] === '') return undefined;
      params[segment.slice(1)] = safeDecode(actual[index]);
    } else if (segment !== actual[index]) return undefined;
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
