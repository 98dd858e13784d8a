-- Turns recorded by the client, and edits of the effective history as events.

-- 1. A recorded turn's task carries the client's turn id (its idempotency key, unique within the session) and
-- a SHA-256 of the canonical request, so a retry with the same body returns the original and another body is a
-- conflict. NULL for tasks of posted user messages; the partial unique index holds recorded tasks only.
ALTER TABLE "tasks" ADD COLUMN "turn_id" TEXT;
ALTER TABLE "tasks" ADD COLUMN "request_hash" TEXT;
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_turn_id_check"
    CHECK ("turn_id" IS NULL OR (length("turn_id") BETWEEN 1 AND 200 AND "request_hash" IS NOT NULL));
CREATE UNIQUE INDEX "tasks_session_id_turn_id_key" ON "tasks"("session_id", "turn_id") WHERE "turn_id" IS NOT NULL;
-- "Is a task of this session queued or running?" (a recorded turn is refused then): an index probe.
CREATE INDEX "tasks_unfinished_session_idx" ON "tasks"("session_id") WHERE "status" IN ('submitted', 'working');

-- 2. History edits are events of role system: revert (drop the last items), reset (drop all), compaction
-- (replace a prefix by a summary). Their canonical form is the one of every event, so the chain still verifies.
ALTER TABLE "events" DROP CONSTRAINT "events_type_check";
ALTER TABLE "events" ADD CONSTRAINT "events_type_check"
    CHECK ("type" IN ('message', 'state', 'status', 'error', 'tool_call', 'tool_result', 'artifact',
                      'revert', 'reset', 'compaction'));
ALTER TABLE "events" ADD CONSTRAINT "events_history_edit_role_check"
    CHECK ("type" NOT IN ('revert', 'reset', 'compaction') OR "role" = 'system');

-- 3. The effective history. Each edit stores in its metadata the range of history positions it hides
-- ("hidesFrom", "hidesTo"; no "hidesTo" means to the end), and hides only items stored before it. An item's
-- position is its seq, except a compaction summary's, which is the seq it summarizes through, so the summary
-- sits where the prefix it replaces was. An item is effective when no later edit's range holds its position.
--
-- Trade-off: the edits are not applied to stored rows (the log stays append-only) and nothing is materialized,
-- so the effective history is computed per read: a keyset page walks the items index in (position, seq) order
-- from the cursor and anti-joins the session's few edits (their own small partial index). A page costs its
-- rows plus the hidden rows it skips; only the first page after a reset or compaction of a long history skips
-- many. Replaying the whole session per page is never needed; a materialized "effective" flag would make reads
-- O(page) at the price of rewriting rows on every revert (which breaks the append-only rule).
CREATE FUNCTION event_history_position(p_type TEXT, p_seq INTEGER, p_metadata JSONB) RETURNS INTEGER
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_type = 'compaction' THEN (p_metadata->>'throughSeq')::int ELSE p_seq END
$$;
CREATE INDEX "events_history_items_idx" ON "events"("session_id", event_history_position("type", "seq", "metadata"), "seq")
    WHERE "type" IN ('message', 'tool_call', 'tool_result', 'compaction');
CREATE INDEX "events_history_edits_idx" ON "events"("session_id", "seq")
    WHERE "type" IN ('revert', 'reset', 'compaction');

-- 4. A priced answer's cost is hashed as it is stored. events.cost_usd is numeric(12,6), and jsonb keeps a
-- numeric's scale, so a cost hashed as given (0.004) and verified from the row (0.004000) never matched: every
-- priced answer failed `verify`. The append now rounds the cost to the column's scale before hashing and
-- storing it. Events stored before this keep their hashes (the canonical form is unchanged).
CREATE OR REPLACE FUNCTION append_event(
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
    p_cost_usd := p_cost_usd::numeric(12, 6);
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
