import fc from 'fast-check';
import { isJsonObject, mergePatch, type JsonObject, type JsonValue } from '../../src/platform/json/json.js';

describe('isJsonObject', () => {
  it('accepts plain objects', () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject({ a: 1 })).toBe(true);
  });

  it.each([null, undefined, [], [1, 2], 'x', 0, 1, true, false])('rejects %p', (value) => {
    expect(isJsonObject(value)).toBe(false);
  });
});

describe('mergePatch (RFC 7396)', () => {
  it('merges nested objects recursively', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, d: 3 }, { a: { c: 9, e: 4 } })).toEqual({ a: { b: 1, c: 9, e: 4 }, d: 3 });
  });

  it('deletes keys whose patch value is null', () => {
    expect(mergePatch({ a: 1, b: 2 }, { a: null })).toEqual({ b: 2 });
  });

  it('deleting a missing key is a no-op', () => {
    expect(mergePatch({ a: 1 }, { z: null })).toEqual({ a: 1 });
  });

  it('replaces arrays wholesale instead of merging them', () => {
    expect(mergePatch({ a: [1, 2, 3] }, { a: [4] })).toEqual({ a: [4] });
  });

  it('a non-object patch replaces the target', () => {
    expect(mergePatch({ a: 1 }, 'text')).toBe('text');
    expect(mergePatch({ a: 1 }, null)).toBeNull();
    expect(mergePatch({ a: 1 }, [1])).toEqual([1]);
  });

  it('an object patch on a non-object target starts from an empty object', () => {
    expect(mergePatch('text', { a: 1 })).toEqual({ a: 1 });
    expect(mergePatch(undefined, { a: 1, b: null })).toEqual({ a: 1 });
  });

  it('does not mutate the target or the patch', () => {
    const target: JsonObject = { a: { b: 1 }, c: 2 };
    const patch: JsonObject = { a: { b: null, x: 1 }, c: null };
    const targetCopy = structuredClone(target);
    const patchCopy = structuredClone(patch);
    mergePatch(target, patch);
    expect(target).toEqual(targetCopy);
    expect(patch).toEqual(patchCopy);
  });

  it('applies the example document from RFC 7396 section 3', () => {
    const target: JsonValue = {
      title: 'Goodbye!',
      author: { givenName: 'John', familyName: 'Doe' },
      tags: ['example', 'sample'],
      content: 'This will be unchanged',
    };
    const patch: JsonValue = {
      title: 'Hello!',
      phoneNumber: '+01-123-456-7890',
      author: { familyName: null },
      tags: ['example'],
    };
    expect(mergePatch(target, patch)).toEqual({
      title: 'Hello!',
      author: { givenName: 'John' },
      tags: ['example'],
      content: 'This will be unchanged',
      phoneNumber: '+01-123-456-7890',
    });
  });

  // RFC 7396, Appendix A: [original, patch, result]
  const appendixA: Array<[JsonValue, JsonValue, JsonValue]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];

  it.each(appendixA)('RFC 7396 appendix A: %j patched with %j', (original, patch, result) => {
    expect(mergePatch(original, patch)).toEqual(result);
  });

  describe('properties', () => {
    const jsonObject = fc.dictionary(fc.string(), fc.jsonValue()) as fc.Arbitrary<JsonObject>;

    it('an empty patch leaves any object unchanged', () => {
      fc.assert(
        fc.property(jsonObject, (x) => {
          expect(mergePatch(x, {})).toEqual(x);
        }),
      );
    });

    it("patching a target's own keys with non-null, non-object values yields the patch's values", () => {
      const scalarOrArray = fc.oneof(
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.array(fc.jsonValue(), { maxLength: 3 }),
      );
      fc.assert(
        fc.property(jsonObject, fc.infiniteStream(scalarOrArray), (target, values) => {
          const patch: JsonObject = {};
          for (const key of Object.keys(target)) {
            // defineProperty, not assignment: fast-check may generate the key "__proto__".
            Object.defineProperty(patch, key, {
              value: values.next().value,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
          const result = mergePatch(target, patch) as JsonObject;
          expect(Object.keys(result).sort()).toEqual(Object.keys(target).sort());
          for (const key of Object.keys(patch)) expect(result[key]).toEqual(patch[key]);
        }),
      );
    });
  });
});
