-- Core tables: users, API tokens, sessions, events (append-only, hash-chained) and tasks.
-- Constraint and index names follow Prisma's conventions so `prisma migrate diff` agrees with schema.prisma.

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "name" TEXT,
    "token_prefix" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6),
    "revoked_at" TIMESTAMPTZ(6),
    "last_used_at" TIMESTAMPTZ(6),
    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "api_tokens_role_check" CHECK ("role" IN ('user', 'reviewer', 'admin'))
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "name" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "state" JSONB NOT NULL DEFAULT '{}',
    "parent_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_activity_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6),
    "closed_at" TIMESTAMPTZ(6),
    "event_count" INTEGER NOT NULL DEFAULT 0,
    "turn_count" INTEGER NOT NULL DEFAULT 0,
    "last_hash" BYTEA,
    "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "completion_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(14,6) NOT NULL DEFAULT 0,
    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "sessions_status_check" CHECK ("status" IN ('active', 'input_required', 'completed', 'closed', 'expired')),
    CONSTRAINT "sessions_not_own_parent_check" CHECK ("parent_id" IS NULL OR "parent_id" <> "id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "parts" JSONB NOT NULL,
    "task_id" UUID,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "model" TEXT,
    "prompt_tokens" INTEGER,
    "completion_tokens" INTEGER,
    "cost_usd" DECIMAL(12,6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "hash" BYTEA NOT NULL,
    CONSTRAINT "events_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "events_seq_check" CHECK ("seq" > 0),
    CONSTRAINT "events_type_check" CHECK ("type" IN ('message', 'state', 'status', 'error')),
    CONSTRAINT "events_role_check" CHECK ("role" IN ('user', 'agent', 'system', 'tool')),
    CONSTRAINT "events_parts_check" CHECK (jsonb_typeof("parts") = 'array')
);

-- CreateTable
CREATE TABLE "tasks" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "agent_id" TEXT NOT NULL,
    "trigger_event_id" UUID NOT NULL,
    "trigger_seq" INTEGER NOT NULL,
    "turn" INTEGER NOT NULL,
    "response_event_id" UUID,
    "status" TEXT NOT NULL DEFAULT 'submitted',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "tasks_status_check" CHECK ("status" IN ('submitted', 'working', 'input_required', 'completed', 'failed', 'canceled', 'rejected'))
);

-- CreateIndex
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens"("user_id");
CREATE INDEX "api_tokens_token_prefix_idx" ON "api_tokens"("token_prefix");
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");
CREATE INDEX "sessions_user_id_created_at_id_idx" ON "sessions"("user_id", "created_at" DESC, "id" DESC);
CREATE INDEX "sessions_user_id_agent_id_created_at_id_idx" ON "sessions"("user_id", "agent_id", "created_at" DESC, "id" DESC);
CREATE INDEX "sessions_created_at_id_idx" ON "sessions"("created_at" DESC, "id" DESC);
CREATE INDEX "sessions_parent_id_idx" ON "sessions"("parent_id");
CREATE INDEX "events_task_id_idx" ON "events"("task_id");
CREATE UNIQUE INDEX "events_session_id_seq_key" ON "events"("session_id", "seq");
CREATE UNIQUE INDEX "tasks_trigger_event_id_key" ON "tasks"("trigger_event_id");
CREATE UNIQUE INDEX "tasks_response_event_id_key" ON "tasks"("response_event_id");
CREATE INDEX "tasks_session_id_trigger_seq_idx" ON "tasks"("session_id", "trigger_seq");

-- Not expressible in schema.prisma: the worker's claim query and the expiry sweeper scan only live rows.
CREATE INDEX "tasks_pending_idx" ON "tasks"("created_at") WHERE "status" IN ('submitted', 'working');
CREATE INDEX "sessions_expiring_idx" ON "sessions"("expires_at") WHERE "expires_at" IS NOT NULL AND "status" IN ('active', 'input_required', 'completed');

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "events" ADD CONSTRAINT "events_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- Deferred: a user event and the task it triggers reference each other and are inserted together.
ALTER TABLE "events" ADD CONSTRAINT "events_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_trigger_event_id_fkey" FOREIGN KEY ("trigger_event_id") REFERENCES "events"("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_response_event_id_fkey" FOREIGN KEY ("response_event_id") REFERENCES "events"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The canonical text of an event that its hash covers. Every stored column except the hash itself is in it,
-- so an edit to any of them breaks the session's chain. jsonb's text form is deterministic (sorted keys).
CREATE FUNCTION event_canonical(
    p_id UUID, p_session_id UUID, p_seq INTEGER, p_type TEXT, p_role TEXT, p_parts JSONB, p_task_id UUID,
    p_metadata JSONB, p_model TEXT, p_prompt_tokens INTEGER, p_completion_tokens INTEGER, p_cost_usd NUMERIC,
    p_created_at TIMESTAMPTZ
) RETURNS TEXT LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object(
        'id', p_id, 'sessionId', p_session_id, 'seq', p_seq, 'type', p_type, 'role', p_role,
        'parts', p_parts, 'taskId', p_task_id, 'metadata', p_metadata, 'model', p_model,
        'promptTokens', p_prompt_tokens, 'completionTokens', p_completion_tokens, 'costUsd', p_cost_usd,
        'createdAt', to_char(p_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    )::text
$$;

-- hash(n) = SHA-256(hash(n-1) || canonical(n)); the first event of a session chains from the empty string.
CREATE FUNCTION event_chain_hash(p_previous BYTEA, p_canonical TEXT) RETURNS BYTEA
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sha256(coalesce(p_previous, ''::bytea) || convert_to(p_canonical, 'UTF8'))
$$;

-- Events are append-only. The only exception is the retention purge, which removes whole sessions inside a
-- transaction that sets app.allow_purge; rows are never updated.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('app.allow_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation', HINT = 'close the session instead; history is kept forever';
END
$$;

CREATE TRIGGER "events_append_only_row" BEFORE UPDATE OR DELETE ON "events"
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER "events_append_only_truncate" BEFORE TRUNCATE ON "events"
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
