import type { DomainError } from '../../src/platform/errors/domain-error.js';
import { matchPath } from '../../src/live/socket/session-socket.adapter.js';
import { parseClientMessage } from '../../src/live/socket/socket-messages.js';

const frame = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'no error';
};

describe('session socket routing and messages', () => {
  it('matches :param segments exactly, decoding them', () => {
    expect(matchPath('/v1/sessions/:id/ws', '/v1/sessions/abc/ws')).toEqual({ id: 'abc' });
    expect(matchPath('/v1/sessions/:id/ws', '/v1/sessions/a%20b/ws')).toEqual({ id: 'a b' });
    expect(matchPath('/v1/sessions/:id/ws', '/v1/sessions//ws')).toBeUndefined();
    expect(matchPath('/v1/sessions/:id/ws', '/v1/sessions/abc/ws/more')).toBeUndefined();
    expect(matchPath('/v1/sessions/:id/ws', '/v1/sessions/abc/stream')).toBeUndefined();
  });

  it('splits the type off a message and keeps every other key as sent', () => {
    const parsed = parseClientMessage(frame('{"type":"event","parts":[],"metadata":{"toString":1}}'), false);
    expect(parsed).toEqual({ type: 'event', body: { parts: [], metadata: { toString: 1 } } });
  });

  it('refuses what the HTTP pipeline refuses, with the same codes', () => {
    expect(codeOf(() => parseClientMessage(frame('{nope'), false))).toBe('request/invalid_json');
    expect(codeOf(() => parseClientMessage(frame([1]), false))).toBe('message/invalid');
    expect(codeOf(() => parseClientMessage(frame({ parts: [] }), false))).toBe('message/invalid');
    expect(codeOf(() => parseClientMessage(frame({ type: 'event' }), true))).toBe('message/binary_unsupported');
    expect(codeOf(() => parseClientMessage(frame('{"type":"event","x":"\\ud800"}'), false))).toBe(
      'request/invalid_text',
    );
    let deep: unknown = 'leaf';
    for (let i = 0; i < 70; i++) deep = { deep };
    expect(codeOf(() => parseClientMessage(frame({ type: 'event', deep }), false))).toBe('request/too_deep');
  });
});
