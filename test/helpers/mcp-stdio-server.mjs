// A real MCP server over stdio (the official SDK's McpServer and StdioServerTransport), started by the openai
// agent as a child process in test/e2e/openai-tools.e2e-spec.ts. Its one tool answers with the process id, so
// the test can tell that a child process served the call.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'stdio-orders', version: '1.0.0' });
server.registerTool(
  'lookup_order',
  { description: 'Looks up an order by its id', inputSchema: { orderId: z.string() } },
  ({ orderId }) => ({ content: [{ type: 'text', text: `Order ${orderId} via stdio (pid ${process.pid})` }] }),
);
await server.connect(new StdioServerTransport());
