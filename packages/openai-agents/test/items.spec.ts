import type { Event } from '@agent-session/client';
import type { AgentInputItem } from '@openai/agents';
import { eventsToItems, itemsToTurns } from '../src/items.js';

const user: AgentInputItem = { type: 'message', role: 'user', content: 'Weather?' };
const call: AgentInputItem = { type: 'function_call', callId: 'c1', name: 'weather', arguments: '{"city":"Paris"}' };
const result: AgentInputItem = {
  type: 'function_call_result',
  callId: 'c1',
  name: 'weather',
  status: 'completed',
  output: { type: 'text', text: 'sunny' },
};
const answer: AgentInputItem = {
  type: 'message',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: 'Sunny.' }],
};

/** What the service stores for a turn body, as history events (enough of an EventDto for the mapping). */
function stored(turns: ReturnType<typeof itemsToTurns>): Event[] {
  let seq = 0;
  const event = (role: Event['role'], type: Event['type'], parts: Event['parts'], metadata: object = {}) =>
    ({ id: `e${++seq}`, seq, role, type, parts, metadata, createdAt: new Date(0).toISOString() }) as unknown as Event;
  return turns.flatMap((turn) => [
    event('user', 'message', turn.input.parts, turn.input.metadata),
    ...(turn.steps ?? []).map((step) =>
      step.kind === 'tool_call'
        ? event(
            'agent',
            'tool_call',
            [{ kind: 'data', data: { name: step.name, arguments: step.arguments } }],
            step.metadata,
          )
        : step.kind === 'tool_result'
          ? event('tool', 'tool_result', step.output, step.metadata)
          : event('agent', 'message', step.parts, step.metadata),
    ),
    event('agent', 'message', turn.output.parts, turn.output.metadata),
  ]);
}

describe('items and turns', () => {
  it('groups a run into one turn per user message, tool call and result as steps', () => {
    const turns = itemsToTurns([user, call, result, answer]);
    expect(turns).toHaveLength(1);
    expect(turns[0].input.parts).toEqual([{ kind: 'text', text: 'Weather?' }]);
    expect(turns[0].steps?.map((s) => s.kind)).toEqual(['tool_call', 'tool_result']);
    expect(turns[0].steps?.[0]).toMatchObject({ callId: 'c1', name: 'weather', arguments: { city: 'Paris' } });
    expect(turns[0].output.parts).toEqual([{ kind: 'text', text: 'Sunny.' }]);
  });

  it('gives items without a user message, or without an answer, placeholders that are hidden when read back', () => {
    const system: AgentInputItem = { type: 'message', role: 'system', content: 'Be brief.' };
    const turns = itemsToTurns([system, user, call]);
    expect(turns).toHaveLength(2);
    expect(turns[0].input.metadata).toEqual({ openaiAgents: { placeholder: true } });
    expect(turns[1].output.metadata).toEqual({ openaiAgents: { placeholder: true } });
    expect(eventsToItems(stored(turns))).toEqual([system, user, call]);
  });

  it('reads every item back exactly, fields the parts cannot hold included', () => {
    const reasoning = {
      type: 'reasoning',
      id: 'rs',
      content: [{ type: 'input_text', text: 'hm' }],
      providerData: { x: 1 },
    };
    const items = [user, reasoning as AgentInputItem, call, result, answer];
    expect(eventsToItems(stored(itemsToTurns(items)))).toEqual(items);
  });

  it('maps events written by others (hosted agents, curl) to plain items', () => {
    const events = [
      { id: 'a', seq: 1, role: 'user', type: 'message', parts: [{ kind: 'text', text: 'hi' }], metadata: {} },
      { id: 'b', seq: 2, role: 'agent', type: 'message', parts: [{ kind: 'text', text: 'hello' }], metadata: {} },
    ] as unknown as Event[];
    expect(eventsToItems(events)).toEqual([
      { type: 'message', role: 'user', content: 'hi' },
      { type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'hello' }] },
    ]);
  });
});
