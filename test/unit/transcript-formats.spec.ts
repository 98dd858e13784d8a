import fc from 'fast-check';
import { toEventDto } from '../../src/conversation/http/dto/event.dto.js';
import type { StreamedEvent } from '../../src/conversation/records/event.record.js';
import { transcriptWriter } from '../../src/oversight/transcripts/transcript-formats.js';

const at = new Date('2026-11-29T10:00:00.000Z');

function event(text: string): StreamedEvent {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    sessionId: '00000000-0000-4000-8000-000000000002',
    seq: 7,
    type: 'message',
    role: 'agent',
    partsText: [JSON.stringify([{ kind: 'text', text }])],
    taskId: null,
    parentId: null,
    metadata: {},
    usage: null,
    createdAt: at,
    hash: 'ab',
  };
}

const joined = (row: string | string[]) => (typeof row === 'string' ? row : row.join(''));
/** Line breaks JavaScript's multiline `^` knows, and the characters CSV quotes. */
const text = fc.string({
  unit: fc.constantFrom('a', ' ', '\n', '\r', '\u2028', '\u2029', '"', ',', '=', 'é'),
  maxLength: 20,
});

describe('transcript rows written in pieces', () => {
  it('quotes every line of a markdown body as replace(/^/gm, "> ") does', () => {
    fc.assert(
      fc.property(text, (body) => {
        const row = joined(transcriptWriter('markdown').row({ event: event(body), taskStatus: null }, true));
        const head = `\n**#7 agent** (message, ${at.toISOString()})\n\n`;
        expect(row).toBe(`${head}${(body || '').replace(/^/gm, '> ')}\n`);
      }),
    );
  });

  it('writes a CSV row as its quoted fields joined by commas', () => {
    fc.assert(
      fc.property(text, (body) => {
        const row = joined(transcriptWriter('csv').row({ event: event(body), taskStatus: 'completed' }, true));
        const quoted = /^[=+\-@]/.test(body) ? `'${body}` : body;
        const field = /[",\r\n]/.test(quoted) ? `"${quoted.replace(/"/g, '""')}"` : quoted;
        expect(row).toBe(`7,${at.toISOString()},agent,message,${field},,completed,,,,,,,,\r\n`);
      }),
    );
  });

  it('writes a JSON or NDJSON row as JSON.stringify writes the event with its task status and step name', () => {
    const parts = [{ kind: 'data' as const, data: { n: 1.5, '2': [true, null] } }];
    const streamed: StreamedEvent = {
      ...event(''),
      type: 'tool_call',
      partsText: ['[{"kind": "data", ', '"data": {"2": [true, null], "n": 1.50}}]'],
      metadata: { name: 'search' },
    };
    const { partsText: _text, ...record } = streamed;
    const dto = toEventDto({ ...record, parts });
    const extra = { taskStatus: 'failed' as const, stepName: 'search' };
    expect(joined(transcriptWriter('json').row({ event: streamed, taskStatus: 'failed' }, false))).toBe(
      `,\n${JSON.stringify({ ...dto, ...extra })}`,
    );
    expect(joined(transcriptWriter('ndjson').row({ event: streamed, taskStatus: 'failed' }, true))).toBe(
      `${JSON.stringify({ kind: 'event', ...dto, ...extra })}\n`,
    );
  });
});
