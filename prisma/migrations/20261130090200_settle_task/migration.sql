-- Settling a task run in one call. settle_task does what TasksService.settle did as a transaction of 5-7
-- statements (lock the held task, replace the agent context, append the answer, finish the task, read and update
-- the session's status): one call, one round trip, and no BEGIN/COMMIT round trips around it. It returns one row
-- (the answer event and the settled task), or no row when the task is not held by p_owner (the lease ran out and
-- another worker took it, or it was canceled or settled) or may not move to p_status: then nothing is written.
--
-- What stays where it was:
-- - The answer goes through append_event (called, not restated): the seq under the session's row lock, the hash
--   chain, usage and cost (NULL = unknown, counted in unpriced_answers), last_activity_at, the webhook triggers
--   on events. p_notify is false: the service announces the answer and the task's status after commit.
-- - The task's columns are set exactly as TasksRepository.finish sets them (status, response_event_id, error,
--   the lease cleared, finished_at when p_final), so task_metrics and the webhook trigger on tasks see the same.
-- - The status rules stay in src/conversation/status.machine.ts: the caller passes the task statuses that may move
--   to p_status (p_from_statuses) and the session's move for this outcome as {"from": "to", ...}
--   (p_session_moves), as append_event takes its status lists.
-- - Artifacts and a state patch (rare; the patch is merged in the service, by scope) are still written by the
--   service before this call, in the same transaction; a plain answer needs no transaction around it.
--
-- Trade-offs:
-- - Lock order: the session row first, then the task row, the order cancel and close take them. The transaction
--   this replaces took the task first and the session second (inside append_event), so a settle racing a cancel
--   of the same task could deadlock (one of them aborted after deadlock_timeout). Now the second one waits and
--   then sees what the first did: a canceled task is not settled, a settled task is not cancelable.
-- - The session's status is read under that lock, before the answer is appended. An agent's answer never changes
--   the session's status inside append_event (only a user message reopens a session), so it is the status the
--   old transaction read after the append.
-- - Keyed by p_session_id first (the task's key is (session_id, id)), so under Citus it can run as a distributed
--   function on its session's node like append_event (`npm run db:distribute`). Plain values in its UPDATEs: the
--   next status is computed in a variable, not by a function over columns (docs/scaling.md).
-- - plpgsql, not sql, for the reasons append_event gives: plans kept per connection, O(1) in session length.
CREATE FUNCTION settle_task(
    p_session_id UUID, p_task_id UUID, p_owner TEXT, p_status TEXT, p_from_statuses TEXT[], p_final BOOLEAN,
    p_error TEXT, p_event_id UUID, p_type TEXT, p_parts JSONB, p_metadata JSONB, p_model TEXT,
    p_prompt_tokens INTEGER, p_completion_tokens INTEGER, p_cost_usd NUMERIC, p_agent_context JSONB,
    p_session_moves JSONB, p_refused_statuses TEXT[], p_reopened_statuses TEXT[]
) RETURNS TABLE (event events, task tasks)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_session_status TEXT;
    v_next_status TEXT;
BEGIN
    SELECT s.status INTO v_session_status FROM sessions s WHERE s.id = p_session_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM 1 FROM tasks t
    WHERE t.session_id = p_session_id AND t.id = p_task_id AND t.status = 'working' AND t.lease_owner = p_owner
      AND t.status = ANY (p_from_statuses)
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    IF p_agent_context IS NOT NULL THEN
        UPDATE sessions s SET agent_context = p_agent_context WHERE s.id = p_session_id;
    END IF;

    SELECT (a.event).* INTO event
    FROM append_event(p_session_id, p_event_id, p_type, 'agent', p_parts, p_metadata, p_task_id, NULL, p_model,
                      p_prompt_tokens, p_completion_tokens, p_cost_usd, NULL, false, p_refused_statuses,
                      p_reopened_statuses, false, NULL) a;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    UPDATE tasks t SET status = p_status, updated_at = now(), response_event_id = (event).id, error = p_error,
        lease_owner = NULL, lease_expires_at = NULL, finished_at = CASE WHEN p_final THEN now() ELSE NULL END
    WHERE t.session_id = p_session_id AND t.id = p_task_id
    RETURNING * INTO task;

    v_next_status := p_session_moves ->> v_session_status;
    IF v_next_status IS NOT NULL AND v_next_status <> v_session_status THEN
        UPDATE sessions s SET status = v_next_status WHERE s.id = p_session_id;
    END IF;
    RETURN NEXT;
END
$$;
