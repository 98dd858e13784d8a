-- Sessions named by the client's own key, and state scoped to a user (per agent) or to an agent.

-- 1. A key is unique per user (the partial unique index is what makes PUT /v1/sessions/by-key/:key race-free:
-- INSERT ... ON CONFLICT DO NOTHING, then read the winner). NULL for sessions opened without one.
ALTER TABLE "sessions" ADD COLUMN "key" TEXT;
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_key_check" CHECK ("key" IS NULL OR "key" ~ '^[A-Za-z0-9._:@-]{1,200}$');
CREATE UNIQUE INDEX "sessions_user_id_key_key" ON "sessions"("user_id", "key") WHERE "key" IS NOT NULL;

-- 2. Scoped state, as agent frameworks model it: `user:` keys are shared by one user's sessions with one agent,
-- `app:` keys by every session of the agent (`temp:` keys are never stored). Stored without their prefix; the
-- merged view (GET /v1/sessions/:id/state?scopes=all, what agents are shown) adds it back. Patched in the
-- transaction of the answer or recorded turn that carries the patch, under the row's lock.
CREATE TABLE "user_states" (
    "user_id" TEXT NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
    "agent_id" TEXT NOT NULL,
    "state" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY ("user_id", "agent_id")
);
CREATE TABLE "app_states" (
    "agent_id" TEXT PRIMARY KEY,
    "state" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
