-- Group commit of users' messages (docs/benchmarks.md, "Group commit"). Under load the service sends the
-- messages that arrive while earlier ones are being stored as one call of append_events: one round trip, one
-- statement and one commit for up to a few dozen messages instead of one each. Each message is still stored by
-- append_event, exactly as alone, inside its own subtransaction (BEGIN … EXCEPTION), so a message that fails (a
-- reused client id, text PostgreSQL refuses) fails alone: its row carries the SQLSTATE in `failure` and its
-- batch-mates are stored. Nothing is acknowledged before the whole call has committed.
--
-- Trade-offs, measured or reasoned:
-- - The sessions of a batch stay locked until the batch commits (as long as the slowest member), so a session
--   that takes messages from several clients at once waits for its batch-mates: fine for conversations, where
--   one session rarely takes concurrent writes.
-- - Messages are taken in session id order, so two batches lock their sessions in the same order and cannot
--   deadlock each other; other writers lock at most one session per transaction.
-- - Each member costs a subtransaction. The service caps a batch at APPEND_BATCH_MAX (default 32) members, below
--   the 64 subtransactions a backend tracks in shared memory before snapshots slow down.
-- - Not a distributed function: with Citus (docs/scaling.md) members live on different nodes; set
--   APPEND_BATCH_MAX=1 there and every message is one append_event call on its session's node.
--
-- p_appends: a JSON array of {sessionId, eventId, parts, metadata, newTaskId, ownerId}; the statuses are the
-- same for every member. Returns one row per member that found its session (ord = its 1-based position).

CREATE FUNCTION append_events(
    p_appends JSONB, p_refused_statuses TEXT[], p_reopened_statuses TEXT[]
) RETURNS TABLE (ord INTEGER, event events, task tasks, agent_id TEXT, turn INTEGER, failure TEXT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    m RECORD;
    r RECORD;
BEGIN
    FOR m IN
        SELECT x.value AS a, x.ordinality::int AS i
        FROM jsonb_array_elements(p_appends) WITH ORDINALITY x
        ORDER BY (x.value ->> 'sessionId')::uuid, x.ordinality
    LOOP
        BEGIN
            SELECT * INTO r FROM append_event((m.a ->> 'sessionId')::uuid, (m.a ->> 'eventId')::uuid, 'message',
                'user', m.a -> 'parts', m.a -> 'metadata', NULL, (m.a ->> 'newTaskId')::uuid, NULL, NULL, NULL, NULL,
                m.a ->> 'ownerId', true, p_refused_statuses, p_reopened_statuses, false, NULL, true);
            IF FOUND THEN
                ord := m.i; event := r.event; task := r.task; agent_id := r.agent_id; turn := r.turn;
                failure := NULL;
                RETURN NEXT;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            ord := m.i; event := NULL; task := NULL; agent_id := NULL; turn := NULL; failure := SQLSTATE;
            RETURN NEXT;
        END;
    END LOOP;
END
$$;
