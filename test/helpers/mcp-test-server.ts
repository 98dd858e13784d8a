import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { listenOnLoopback, type LoopbackServer } from './loopback-server.js';
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
  private server?: LoopbackServer;
  url = '';

  async start(): Promise<this> {
    this.server = await listenOnLoopback((req, res) => {
      const mcp = this.build();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => void transport.close().then(() => mcp.close()));
      void mcp.connect(transport).then(() => transport.handleRequest(req, res));
    });
    this.url = `${this.server.url}/mcp`;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
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
