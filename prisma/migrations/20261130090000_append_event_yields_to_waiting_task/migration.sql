-- A user's plain message answers the session's task that waits for input (issue: conversation semantics). The
-- service used to look that task up with a query of its own before every append: one more round trip, one more
-- statement through the client, on every message although almost none finds a waiting task. append_event now
-- does the lookup itself when asked (p_yield_to_waiting), under the session row's lock it takes anyway: when a
-- task waits, it appends nothing and returns that task (event NULL) so the service continues it instead; else it
-- appends as before. Same result as the separate lookup, one statement fewer per message; the partial index
-- tasks_waiting_idx keeps the lookup an index probe. Everything else is as in 20261130080100.
--
-- The argument list changes, so the old function is dropped (an overload would make 18-argument calls
-- ambiguous); calls with 17 or 18 arguments keep working through the new defaults.

DROP FUNCTION append_event(uuid, uuid, text, text, jsonb, jsonb, uuid, uuid, text, integer, integer, numeric, text,
    boolean, text[], text[], boolean, uuid);

CREATE FUNCTION append_event(
    p_session_id UUID, p_event_id UUID, p_type TEXT, p_role TEXT, p_parts JSONB, p_metadata JSONB,
    p_task_id UUID, p_new_task_id UUID, p_model TEXT, p_prompt_tokens INTEGER, p_completion_tokens INTEGER,
    p_cost_usd NUMERIC, p_owner_id TEXT, p_require_open BOOLEAN, p_refused_statuses TEXT[],
    p_reopened_statuses TEXT[], p_notify BOOLEAN, p_parent_id UUID DEFAULT NULL,
    p_yield_to_waiting BOOLEAN DEFAULT false
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
    -- as in 20261130020000: the cost is hashed and stored at the column's scale
    p_cost_usd := p_cost_usd::numeric(12, 6);
    SELECT s.event_count + 1, s.turn_count + v_turn::int, s.agent_id, s.last_hash
    INTO v_seq, v_turns, v_agent, v_hash
    FROM sessions s
    WHERE s.id = p_session_id
      AND (p_owner_id IS NULL OR s.user_id = p_owner_id)
      AND (NOT p_require_open
           OR (s.status <> ALL (p_refused_statuses) AND (s.expires_at IS NULL OR s.expires_at > now())))
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF p_yield_to_waiting THEN
        SELECT * INTO task FROM tasks t
        WHERE t.session_id = p_session_id AND t.status = 'input_required'
        ORDER BY t.trigger_seq DESC LIMIT 1;
        IF FOUND THEN
            agent_id := v_agent;
            RETURN NEXT;
            RETURN;
        END IF;
    END IF;
    v_hash := event_chain_hash(v_hash, event_canonical(p_event_id, p_session_id, v_seq, p_type, p_role, p_parts,
        v_task_id, p_metadata, p_model, p_prompt_tokens, p_completion_tokens, p_cost_usd, now(), p_parent_id));

    UPDATE sessions s SET
        event_count = v_seq,
        turn_count = v_turns,
        status = CASE WHEN v_turn AND s.status = ANY (p_reopened_statuses) THEN 'active' ELSE s.status END,
        last_activity_at = now(),
        prompt_tokens = s.prompt_tokens + coalesce(p_prompt_tokens, 0),
        completion_tokens = s.completion_tokens + coalesce(p_completion_tokens, 0),
        -- cost NULL means unknown: an unpriced answer leaves the sum as it is and is counted instead
        cost_usd = CASE WHEN p_cost_usd IS NULL THEN s.cost_usd ELSE coalesce(s.cost_usd, 0) + p_cost_usd END,
        unpriced_answers = s.unpriced_answers
            + (p_role = 'agent' AND p_type = 'message' AND p_parent_id IS NULL AND p_cost_usd IS NULL)::int,
        last_hash = v_hash
    WHERE s.id = p_session_id;

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
