import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, readText, type LoopbackServer } from './loopback-server.js';

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type FakeHandler = (req: RecordedRequest, res: ServerResponse, nth: number) => void | Promise<void>;

/** A local HTTP server standing in for agent back ends; routes by path and records every request. */
export class FakeAgentServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, FakeHandler>();
  private server?: LoopbackServer;
  url = '';

  route(path: string, handler: FakeHandler): this {
    this.routes.set(path, handler);
    return this;
  }

  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  async start(): Promise<this> {
    this.server = await listenOnLoopback((req, res) => void this.handle(req, res));
    this.url = this.server.url;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readText(req);
    const recorded = { path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined };
    this.requests.push(recorded);
    const handler = this.routes.get(recorded.path);
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    await handler(recorded, res, this.count(recorded.path));
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

export function sse(res: ServerResponse, messages: { event?: string; data: unknown }[]): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  for (const m of messages) {
    res.write(
      `${m.event ? `event: ${m.event}\n` : ''}data: ${typeof m.data === 'string' ? m.data : JSON.stringify(m.data)}\n\n`,
    );
  }
  res.end();
}
