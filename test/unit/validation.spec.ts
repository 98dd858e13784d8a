import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { MAX_JSON_DEPTH, MAX_PARTS, jsonDepth } from '../../src/platform/http/validation/json.validators.js';
import { AppendEventDto } from '../../src/conversation/http/dto/append-event.dto.js';
import { CreateSessionDto, MAX_TTL_SECONDS } from '../../src/conversation/http/dto/create-session.dto.js';

function nest(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { child: value };
  return value;
}

async function errorsOf<T extends object>(cls: new () => T, plain: unknown): Promise<ValidationError[]> {
  return validate(plainToInstance(cls, plain) as object, { whitelist: true, forbidNonWhitelisted: true });
}

const messages = (errors: ValidationError[]) => errors.flatMap((e) => Object.values(e.constraints ?? {}));

describe('jsonDepth', () => {
  it('is 0 for scalars and null', () => {
    for (const v of [null, undefined, 1, 'x', true]) expect(jsonDepth(v)).toBe(0);
  });

  it('counts nested objects and arrays', () => {
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth([])).toBe(1);
    expect(jsonDepth({ a: 1 })).toBe(1);
    expect(jsonDepth({ a: { b: [1] } })).toBe(3);
    expect(jsonDepth([[], [[[]]]])).toBe(4);
    expect(nest(5)).toEqual({ child: { child: { child: { child: {} } } } });
    expect(jsonDepth(nest(5))).toBe(5);
  });

  it('stops counting just past the limit', () => {
    expect(jsonDepth(nest(1000))).toBe(MAX_JSON_DEPTH + 2);
    expect(jsonDepth(nest(10), 3)).toBe(4);
    expect(jsonDepth(nest(2), 3)).toBe(2);
  });
});

describe('AppendEventDto', () => {
  const valid = (parts: unknown, extra: Record<string, unknown> = {}) => errorsOf(AppendEventDto, { parts, ...extra });

  it('accepts text, data and file parts', async () => {
    const parts = [
      { kind: 'text', text: 'hello' },
      { kind: 'data', data: { a: [1, 2], b: { c: null } }, metadata: { source: 'test' } },
      { kind: 'file', file: { uri: 'https://example.com/a.png', mimeType: 'image/png' } },
      { kind: 'file', file: { bytes: 'aGVsbG8=' } },
    ];
    expect(await valid(parts, { id: randomUUID(), role: 'user', metadata: { x: 1 } })).toEqual([]);
  });

  it('rejects a missing or empty parts array', async () => {
    expect(messages(await valid([]))).toEqual(['parts must be a non-empty array']);
    expect(messages(await errorsOf(AppendEventDto, {}))).toEqual(['parts must be a non-empty array']);
    expect(messages(await valid('hello'))).toEqual(['parts must be a non-empty array']);
  });

  it('rejects an unknown part kind', async () => {
    expect(messages(await valid([{ kind: 'video', video: 'x' }]))).toEqual([
      'parts[0].kind must be one of text, data, file',
    ]);
  });

  it('rejects an extra field in a part', async () => {
    const parts = [
      { kind: 'text', text: 'ok' },
      { kind: 'text', text: 'hi', data: { a: 1 } },
    ];
    expect(messages(await valid(parts))).toEqual(['parts[1] has an unknown field "data"']);
  });

  it('rejects malformed parts of known kinds', async () => {
    expect(messages(await valid([{ kind: 'text', text: 5 }]))).toEqual(['parts[0].text must be a string']);
    expect(messages(await valid([{ kind: 'data', data: [1] }]))).toEqual(['parts[0].data must be an object']);
    expect(messages(await valid([{ kind: 'file', file: { name: 'a' } }]))).toEqual([
      'parts[0].file needs a uri or base64 bytes',
    ]);
    expect(messages(await valid(['text']))).toEqual(['parts[0] must be an object']);
    expect(messages(await valid([{ kind: 'text', text: 'a', metadata: [] }]))).toEqual([
      'parts[0].metadata must be an object',
    ]);
  });

  it(`accepts ${MAX_PARTS} parts but not ${MAX_PARTS + 1}`, async () => {
    const part = { kind: 'text', text: 'x' };
    expect(await valid(Array.from({ length: MAX_PARTS }, () => part))).toEqual([]);
    expect(messages(await valid(Array.from({ length: MAX_PARTS + 1 }, () => part)))).toEqual([
      `parts may hold at most ${MAX_PARTS} items`,
    ]);
  });

  it('rejects data nested too deeply', async () => {
    expect(await valid([{ kind: 'data', data: nest(MAX_JSON_DEPTH - 1) }])).toEqual([]);
    expect(messages(await valid([{ kind: 'data', data: nest(MAX_JSON_DEPTH + 5) }]))).toEqual([
      'parts[0] is nested too deeply',
    ]);
  });

  it('rejects event metadata nested too deeply or not an object', async () => {
    const parts = [{ kind: 'text', text: 'x' }];
    expect((await valid(parts, { metadata: nest(MAX_JSON_DEPTH + 1) })).map((e) => e.property)).toEqual(['metadata']);
    expect((await valid(parts, { metadata: ['a'] })).map((e) => e.property)).toEqual(['metadata']);
  });

  it.each(['agent', 'system', 'tool', 'USER'])('rejects role %p', async (role) => {
    const errors = await valid([{ kind: 'text', text: 'x' }], { role });
    expect(errors.map((e) => e.property)).toEqual(['role']);
  });

  it('rejects an id that is not a uuid', async () => {
    const errors = await valid([{ kind: 'text', text: 'x' }], { id: 'event-1' });
    expect(errors.map((e) => e.property)).toEqual(['id']);
    expect(errors[0].constraints).toHaveProperty('isUuid');
  });
});

describe('CreateSessionDto', () => {
  const errorProps = async (plain: Record<string, unknown>) =>
    (await errorsOf(CreateSessionDto, plain)).map((e) => e.property);

  it('accepts a full valid body', async () => {
    const body = {
      agentId: 'echo',
      name: 'Order #1',
      metadata: { a: 1 },
      state: { s: [1] },
      parentId: randomUUID(),
      ttlSeconds: 60,
    };
    expect(await errorProps(body)).toEqual([]);
  });

  it.each(['echo', 'a', 'my-agent_2', `a${'b'.repeat(63)}`])('accepts agentId %p', async (agentId) => {
    expect(await errorProps({ agentId })).toEqual([]);
  });

  it.each(['', 'Echo', '-echo', '_x', 'has space', 'a/b', `a${'b'.repeat(64)}`])(
    'rejects agentId %p',
    async (agentId) => {
      const errors = await errorsOf(CreateSessionDto, { agentId });
      expect(errors.map((e) => e.property)).toEqual(['agentId']);
      expect(messages(errors)).toContain('agentId must be a configured agent id');
    },
  );

  it('requires agentId', async () => {
    expect(await errorProps({})).toEqual(['agentId']);
  });

  it.each([1, 3600, MAX_TTL_SECONDS])('accepts ttlSeconds %p', async (ttlSeconds) => {
    expect(await errorProps({ agentId: 'echo', ttlSeconds })).toEqual([]);
  });

  it.each([0, -1, MAX_TTL_SECONDS + 1, 1.5, '60'])('rejects ttlSeconds %p', async (ttlSeconds) => {
    expect(await errorProps({ agentId: 'echo', ttlSeconds })).toEqual(['ttlSeconds']);
  });

  it('requires metadata and state to be objects, not arrays or scalars', async () => {
    expect(await errorProps({ agentId: 'echo', metadata: [1, 2] })).toEqual(['metadata']);
    expect(await errorProps({ agentId: 'echo', metadata: 'x' })).toEqual(['metadata']);
    expect(await errorProps({ agentId: 'echo', state: [] })).toEqual(['state']);
    expect(await errorProps({ agentId: 'echo', metadata: {} })).toEqual([]);
  });

  it('rejects a parentId that is not a uuid and an empty name', async () => {
    expect(await errorProps({ agentId: 'echo', parentId: '123' })).toEqual(['parentId']);
    expect(await errorProps({ agentId: 'echo', name: '' })).toEqual(['name']);
  });
});
