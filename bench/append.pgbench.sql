-- One append exactly as the service sends it (src/events/events.repository.ts), for the raw database limit.
\set n random(1, 200)
WITH ids AS (SELECT gen_random_uuid() AS event_id, gen_random_uuid() AS task_id,
                    (SELECT id FROM bench_sessions WHERE n = :n) AS session_id),
s AS (
  UPDATE sessions SET
    event_count = event_count + 1, turn_count = turn_count + 1,
    status = CASE WHEN status IN ('input_required', 'completed') THEN 'active' ELSE status END,
    last_activity_at = now(), prompt_tokens = prompt_tokens + 0, completion_tokens = completion_tokens + 0,
    cost_usd = cost_usd + 0,
    last_hash = event_chain_hash(last_hash, event_canonical((SELECT event_id FROM ids), sessions.id, event_count + 1,
      'message', 'user', '[{"kind":"text","text":"hello"}]'::jsonb, (SELECT task_id FROM ids), '{}'::jsonb,
      NULL, NULL, NULL, NULL, now()))
  WHERE sessions.id = (SELECT session_id FROM ids) AND user_id = 'bench'
    AND status NOT IN ('closed', 'expired') AND (expires_at IS NULL OR expires_at > now())
  RETURNING sessions.id, agent_id, event_count, turn_count, last_hash
), e AS (
  INSERT INTO events (id, session_id, seq, type, role, parts, task_id, metadata, created_at, hash)
  SELECT (SELECT event_id FROM ids), s.id, s.event_count, 'message', 'user', '[{"kind":"text","text":"hello"}]'::jsonb,
         (SELECT task_id FROM ids), '{}'::jsonb, now(), s.last_hash FROM s
  RETURNING *
), t AS (
  INSERT INTO tasks (id, session_id, agent_id, trigger_event_id, trigger_seq, turn, status, created_at, updated_at)
  SELECT (SELECT task_id FROM ids), e.session_id, s.agent_id, e.id, e.seq, s.turn_count, 'submitted', now(), now()
  FROM e, s RETURNING id
)
SELECT e.id, e.seq, pg_notify('agent_session_event', e.session_id::text || ':' || e.seq)::text,
       (SELECT pg_notify('agent_task_queued', t.id::text)::text FROM t)
FROM e, s;
