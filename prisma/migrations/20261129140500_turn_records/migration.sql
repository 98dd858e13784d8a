-- Agent turns as complete records: the steps of a turn (tool calls, tool results, intermediate messages),
-- the agent's artifacts and its state patches are events of the session, linked to their task and to each
-- other by parent_id.

-- 1. The parent link: a tool result's parent is its call, a call's parent is the agent message before it (or
-- the task's trigger event). Always an event of the same session; NULL for everything that is not a step.
-- No foreign key: the retention purge deletes whole sessions, and a key would make it check every deleted
-- row; the conversation resolves parents itself, within the same session. The index serves "children of".
ALTER TABLE "events" ADD COLUMN "parent_id" UUID;
CREATE INDEX "events_parent_idx" ON "events"("session_id", "parent_id") WHERE "parent_id" IS NOT NULL;

ALTER TABLE "events" DROP CONSTRAINT "events_type_check";
ALTER TABLE "events" ADD CONSTRAINT "events_type_check"
    CHECK ("type" IN ('message', 'state', 'status', 'error', 'tool_call', 'tool_result', 'artifact'));
ALTER TABLE "events" DROP CONSTRAINT "events_role_check";
ALTER TABLE "events" ADD CONSTRAINT "events_role_check" CHECK ("role" IN ('user', 'agent', 'system', 'tool'));
-- A step's type goes with one role: calls and artifacts are the agent's, results are the tool's.
ALTER TABLE "events" ADD CONSTRAINT "events_step_role_check" CHECK (
    ("type" NOT IN ('tool_call', 'artifact') OR "role" = 'agent') AND ("type" <> 'tool_result' OR "role" = 'tool'));
ALTER TABLE "events" ADD CONSTRAINT "events_not_own_parent_check" CHECK ("parent_id" IS NULL OR "parent_id" <> "id");

-- 2. The canonical form covers parent_id. It is added only when not NULL, so the canonical text of every
-- existing row (and every event that is not a step) is unchanged and existing chains still verify.
-- The old 13-argument form is dropped: with it and a 14-argument form whose last argument has a default,
-- a 13-argument call would be ambiguous. Nothing stores a reference to it (plpgsql bodies are resolved late).
DROP FUNCTION event_canonical(UUID, UUID, INTEGER, TEXT, TEXT, JSONB, UUID, JSONB, TEXT, INTEGER, INTEGER, NUMERIC, TIMESTAMPTZ);
CREATE FUNCTION event_canonical(
    p_id UUID, p_session_id UUID, p_seq INTEGER, p_type TEXT, p_role TEXT, p_parts JSONB, p_task_id UUID,
    p_metadata JSONB, p_model TEXT, p_prompt_tokens INTEGER, p_completion_tokens INTEGER, p_cost_usd NUMERIC,
    p_created_at TIMESTAMPTZ, p_parent_id UUID DEFAULT NULL
) RETURNS TEXT LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (jsonb_build_object(
        'id', p_id, 'sessionId', p_session_id, 'seq', p_seq, 'type', p_type, 'role', p_role,
        'parts', p_parts, 'taskId', p_task_id, 'metadata', p_metadata, 'model', p_model,
        'promptTokens', p_prompt_tokens, 'completionTokens', p_completion_tokens, 'costUsd', p_cost_usd,
        'createdAt', to_char(p_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    ) || CASE WHEN p_parent_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('parentId', p_parent_id) END)::text
$$;

-- 3. The append takes the parent (last, defaulted, so bench/append.pgbench.sql's 17-argument call still
-- works). Steps (parent_id set) are not answers: they do not count as unpriced answers.
DROP FUNCTION append_event(UUID, UUID, TEXT, TEXT, JSONB, JSONB, UUID, UUID, TEXT, INTEGER, INTEGER, NUMERIC, TEXT,
    BOOLEAN, TEXT[], TEXT[], BOOLEAN);
CREATE FUNCTION append_event(
    p_session_id UUID, p_event_id UUID, p_type TEXT, p_role TEXT, p_parts JSONB, p_metadata JSONB,
    p_task_id UUID, p_new_task_id UUID, p_model TEXT, p_prompt_tokens INTEGER, p_completion_tokens INTEGER,
    p_cost_usd NUMERIC, p_owner_id TEXT, p_require_open BOOLEAN, p_refused_statuses TEXT[],
    p_reopened_statuses TEXT[], p_notify BOOLEAN, p_parent_id UUID DEFAULT NULL
) RETURNS TABLE (event events, task tasks, agent_id TEXT, turn INTEGER)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_turn BOOLEAN := p_role = 'user' AND p_type = 'message';
    v_task_id UUID := coalesce(p_task_id, p_new_task_id);
    v_seq INTEGER;
    v_turns INTEGER;
    v_agent TEXT;
    v_hash BYTEA;
BEGIN
    UPDATE sessions s SET
        event_count = s.event_count + 1,
        turn_count = s.turn_count + v_turn::int,
        status = CASE WHEN v_turn AND s.status = ANY (p_reopened_statuses) THEN 'active' ELSE s.status END,
        last_activity_at = now(),
        prompt_tokens = s.prompt_tokens + coalesce(p_prompt_tokens, 0),
        completion_tokens = s.completion_tokens + coalesce(p_completion_tokens, 0),
        -- cost NULL means unknown: an unpriced answer leaves the sum as it is and is counted instead
        cost_usd = CASE WHEN p_cost_usd IS NULL THEN s.cost_usd ELSE coalesce(s.cost_usd, 0) + p_cost_usd END,
        unpriced_answers = s.unpriced_answers
            + (p_role = 'agent' AND p_type = 'message' AND p_parent_id IS NULL AND p_cost_usd IS NULL)::int,
        last_hash = event_chain_hash(s.last_hash, event_canonical(p_event_id, s.id, s.event_count + 1, p_type, p_role,
            p_parts, v_task_id, p_metadata, p_model, p_prompt_tokens, p_completion_tokens, p_cost_usd, now(),
            p_parent_id))
    WHERE s.id = p_session_id
      AND (p_owner_id IS NULL OR s.user_id = p_owner_id)
      AND (NOT p_require_open
           OR (s.status <> ALL (p_refused_statuses) AND (s.expires_at IS NULL OR s.expires_at > now())))
    RETURNING s.event_count, s.turn_count, s.agent_id, s.last_hash INTO v_seq, v_turns, v_agent, v_hash;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    INSERT INTO events (id, session_id, seq, type, role, parts, task_id, metadata, model, prompt_tokens,
                        completion_tokens, cost_usd, created_at, hash, parent_id)
    VALUES (p_event_id, p_session_id, v_seq, p_type, p_role, p_parts, v_task_id, p_metadata, p_model, p_prompt_tokens,
            p_completion_tokens, p_cost_usd, now(), v_hash, p_parent_id)
    RETURNING * INTO event;

    IF p_new_task_id IS NOT NULL THEN
        INSERT INTO tasks (id, session_id, agent_id, trigger_event_id, trigger_seq, turn, status, created_at, updated_at)
        VALUES (p_new_task_id, p_session_id, v_agent, p_event_id, v_seq, v_turns, 'submitted', now(), now())
        RETURNING * INTO task;
    END IF;

    IF p_notify THEN
        PERFORM pg_notify('agent_session_event', p_session_id::text || ':' || v_seq);
        IF p_new_task_id IS NOT NULL THEN
            PERFORM pg_notify('agent_task_queued', p_new_task_id::text);
        END IF;
    END IF;

    agent_id := v_agent;
    turn := v_turns;
    RETURN NEXT;
END
$$;
