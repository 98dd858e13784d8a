import { TokenCache } from '../../src/identity/tokens/token-cache.js';

const alice = { tokenId: 't1', userId: 'alice', role: 'user' as const };
const bob = { tokenId: 't2', userId: 'bob', role: 'reviewer' as const };

describe('TokenCache', () => {
  it('serves an entry until it goes stale', () => {
    const cache = new TokenCache(1000);
    cache.set('h1', alice, null, 0);
    expect(cache.get('h1', 999)).toEqual(alice);
    expect(cache.get('h1', 1000)).toBeUndefined();
  });

  it('never serves a token past its own expiry', () => {
    const cache = new TokenCache(10_000);
    cache.set('h1', alice, new Date(500), 0);
    expect(cache.get('h1', 499)).toEqual(alice);
    expect(cache.get('h1', 500)).toBeUndefined();
  });

  it('evicts every entry of a revoked token and nothing else', () => {
    const cache = new TokenCache(10_000);
    cache.set('h1', alice, null, 0);
    cache.set('h2', bob, null, 0);
    cache.evictToken('t1');
    expect(cache.get('h1', 1)).toBeUndefined();
    expect(cache.get('h2', 1)).toEqual(bob);
    cache.clear();
    expect(cache.get('h2', 1)).toBeUndefined();
  });

  it('caches nothing with a zero time to live', () => {
    const cache = new TokenCache(0);
    cache.set('h1', alice, null, 0);
    expect(cache.get('h1', 0)).toBeUndefined();
  });
});
