-- Transcript review (full-text search, access log), retention purge bookkeeping and hierarchy fixes.

-- The searchable text of an event: its text parts. IMMUTABLE so it can back an expression index.
CREATE FUNCTION event_search_text(p_parts JSONB) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(part->>'text', ' '), '')
    FROM jsonb_array_elements(p_parts) AS part
    WHERE part->>'kind' = 'text'
$$;

-- Full-text search over event text (English stemming). Queries must use this exact expression.
-- Not expressible in schema.prisma.
CREATE INDEX "events_search_idx" ON "events" USING gin (to_tsvector('english', event_search_text("parts")));

-- Review filters: sessions with failed tasks, and by last activity (also what retention scans).
CREATE INDEX "tasks_failed_session_idx" ON "tasks"("session_id") WHERE "status" = 'failed';
CREATE INDEX "sessions_last_activity_at_idx" ON "sessions"("last_activity_at");

-- Who read what. No foreign keys: the log outlives purged sessions and revoked tokens.
CREATE TABLE "access_log" (
    "id" BIGSERIAL NOT NULL,
    "token_id" UUID,
    "actor_id" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "session_id" UUID,
    "task_id" UUID,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "access_log_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "access_log_created_at_id_idx" ON "access_log"("created_at" DESC, "id" DESC);
CREATE INDEX "access_log_session_id_created_at_idx" ON "access_log"("session_id", "created_at" DESC);
CREATE INDEX "access_log_actor_id_created_at_idx" ON "access_log"("actor_id", "created_at" DESC);

-- What the retention purge removed, and when.
CREATE TABLE "purge_log" (
    "id" BIGSERIAL NOT NULL,
    "session_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "session_created_at" TIMESTAMPTZ(6) NOT NULL,
    "last_activity_at" TIMESTAMPTZ(6) NOT NULL,
    "event_count" INTEGER NOT NULL,
    "retention_days" INTEGER NOT NULL,
    "purged_by" TEXT NOT NULL,
    "purged_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "purge_log_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "purge_log_purged_at_idx" ON "purge_log"("purged_at");

-- Purging an old parent keeps its newer children (they become roots); removing a session removes its tasks
-- together with their trigger events.
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_parent_id_fkey";
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "sessions"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_trigger_event_id_fkey";
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_trigger_event_id_fkey" FOREIGN KEY ("trigger_event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
