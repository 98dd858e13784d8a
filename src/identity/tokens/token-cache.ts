import type { AuthContext } from '../auth/auth-context.js';

interface Entry {
  auth: AuthContext;
  /** the token's own expiry, if any */
  expiresAt: number | null;
  /** when this entry must be looked up again */
  staleAt: number;
}

const MAX_ENTRIES = 10_000;

/**
 * Valid tokens recently seen, by hash, so an authenticated request costs no extra database round trip.
 * Entries live a few seconds at most, expired tokens are never served, and revocations evict at once (the
 * service listens for them); only valid tokens are cached, so a bad token always reaches the database.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs: number) {}

  get(hash: string, now = Date.now()): AuthContext | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.staleAt <= now || (entry.expiresAt !== null && entry.expiresAt <= now)) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry.auth;
  }

  set(hash: string, auth: AuthContext, expiresAt: Date | null, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(hash, { auth, expiresAt: expiresAt?.getTime() ?? null, staleAt: now + this.ttlMs });
  }

  evictToken(tokenId: string): void {
    for (const [hash, entry] of this.entries) if (entry.auth.tokenId === tokenId) this.entries.delete(hash);
  }

  clear(): void {
    this.entries.clear();
  }
}
