import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export interface ReceivedCall {
  name: string;
  args: Record<string, unknown>;
}

/**
 * A real MCP server (the official SDK's McpServer over Streamable HTTP, stateless) on loopback, with a support
 * desk's tools: `lookup_order` answers, `refund` always reports a tool error, `crash` throws. Records every call.
 */
export class McpTestServer {
  readonly calls: ReceivedCall[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const mcp = this.build();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => void transport.close().then(() => mcp.close()));
      void mcp.connect(transport).then(() => transport.handleRequest(req, res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/mcp`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private build(): McpServer {
    const mcp = new McpServer({ name: 'orders', version: '1.0.0' });
    mcp.registerTool(
      'lookup_order',
      { description: 'Looks up an order by its id', inputSchema: { orderId: z.string() } },
      ({ orderId }) => {
        this.calls.push({ name: 'lookup_order', args: { orderId } });
        return {
          content: [{ type: 'text', text: `Order ${orderId}: shipped` }],
          structuredContent: { orderId, status: 'shipped' },
        };
      },
    );
    mcp.registerTool(
      'refund',
      { description: 'Refunds an order', inputSchema: { orderId: z.string() } },
      ({ orderId }) => {
        this.calls.push({ name: 'refund', args: { orderId } });
        return { content: [{ type: 'text', text: `refund of ${orderId} refused: past 30 days` }], isError: true };
      },
    );
    return mcp;
  }
}
