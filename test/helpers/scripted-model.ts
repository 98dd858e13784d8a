import type { ServerResponse } from 'node:http';
import { json, sse, type RecordedRequest } from './fake-agent-server.js';

export const toolCall = (id: string, name: string, args: unknown) => ({
  id,
  type: 'function',
  function: { name, arguments: JSON.stringify(args) },
});

/**
 * A scripted OpenAI-compatible model: asked about an order, it calls `lookup_order` (or `refund`) once, then
 * answers with what the tool said. Streams when asked to, sending the tool call in pieces as OpenAI does.
 */
export function model(req: RecordedRequest, res: ServerResponse): void {
  const messages = req.body.messages as { role: string; content: string }[];
  const last = messages.at(-1)!;
  if (last.role === 'tool') {
    const answer = `Answer after tool: ${last.content}`;
    if (!req.body.stream) {
      json(res, 200, {
        model: 'gpt-tools',
        choices: [{ message: { content: answer }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 20, completion_tokens: 6 },
      });
      return;
    }
    sse(res, [
      { data: { choices: [{ delta: { content: answer } }] } },
      { data: { model: 'gpt-tools', choices: [], usage: { prompt_tokens: 20, completion_tokens: 6 } } },
      { data: '[DONE]' },
    ]);
    return;
  }
  const orderId = /\d+/.exec(last.content)?.[0] ?? '0';
  const name = last.content.includes('refund') ? 'refund' : 'lookup_order';
  if (!req.body.stream) {
    json(res, 200, {
      model: 'gpt-tools',
      choices: [
        {
          message: { content: 'Let me check.', tool_calls: [toolCall('call_1', name, { orderId })] },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    });
    return;
  }
  const args = JSON.stringify({ orderId });
  sse(res, [
    { data: { choices: [{ delta: { tool_calls: [{ index: 0, id: 'call_s', function: { name, arguments: '' } }] } }] } },
    { data: { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(0, 5) } }] } }] } },
    { data: { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(5) } }] } }] } },
    { data: { model: 'gpt-tools', choices: [], usage: { prompt_tokens: 10, completion_tokens: 5 } } },
    { data: '[DONE]' },
  ]);
}
