import type { Event as ServiceEvent } from '@agent-session/client';
import { createEvent } from '@google/adk';
import { invocationToTurn, toAdkEvent } from '../src/events.js';
import { mergeDeltas } from '../src/state.js';
import { sessionKey } from '../src/session-service.js';

const user = createEvent({
  invocationId: 'i1',
  author: 'user',
  content: { role: 'user', parts: [{ text: 'Weather?' }] },
});
const call = createEvent({
  invocationId: 'i1',
  author: 'assistant',
  content: { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'weather', args: { city: 'Paris' } } }] },
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2 },
});
const response = createEvent({
  invocationId: 'i1',
  author: 'assistant',
  content: {
    role: 'user',
    parts: [{ functionResponse: { id: 'c1', name: 'weather', response: { forecast: 'sunny' } } }],
  },
});
const answer = createEvent({
  invocationId: 'i1',
  author: 'assistant',
  content: { role: 'model', parts: [{ text: 'Sunny.' }] },
});

describe('ADK events and turns', () => {
  it('records an invocation as one turn: the user event, tool steps, the final response, usage', () => {
    const turn = invocationToTurn([user, call, response, answer], { city: 'Paris' });
    expect(turn.input.parts).toEqual([{ kind: 'text', text: 'Weather?' }]);
    expect(turn.steps?.map((s) => s.kind)).toEqual(['tool_call', 'tool_result']);
    expect(turn.steps?.[0]).toMatchObject({ callId: 'c1', name: 'weather', arguments: { city: 'Paris' } });
    expect(turn.output.parts).toEqual([{ kind: 'text', text: 'Sunny.' }]);
    expect(turn.usage).toEqual({ promptTokens: 5, completionTokens: 2 });
    expect(turn.statePatch).toEqual({ city: 'Paris' });
  });

  it('reads an event back as the ADK event it was made from', () => {
    const turn = invocationToTurn([user, answer], undefined);
    const back = toAdkEvent({ metadata: turn.output.metadata, parts: turn.output.parts } as unknown as ServiceEvent);
    expect(JSON.parse(JSON.stringify(back))).toEqual(JSON.parse(JSON.stringify(answer)));
  });

  it('drops temp: keys from the merged state deltas, later deltas win', () => {
    expect(mergeDeltas([{ a: 1, 'temp:x': 1 }, undefined, { a: 2, 'user:b': true }])).toEqual({ a: 2, 'user:b': true });
  });

  it('names sessions with their own id by a key of the allowed characters', () => {
    expect(sessionKey('app', 'chat-1')).toBe('adk:app:chat-1');
    expect(sessionKey('my app', 'id/with spaces')).toMatch(/^adk:[A-Za-z0-9_-]+$/);
  });
});
