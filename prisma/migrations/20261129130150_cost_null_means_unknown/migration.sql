-- Cost: NULL means unknown, 0 means free, in events, sessions and the views alike.
-- An answer (an agent event of type 'message') has a cost when its model is in MODEL_PRICES (0 for a free one)
-- and NULL otherwise. A session's cost_usd is what sum(events.cost_usd) gives in SQL: the sum of its priced
-- answers, and NULL while none is priced. unpriced_answers counts the answers whose cost is unknown, so
-- cost_usd is complete exactly when unpriced_answers = 0 (and a lower bound otherwise).
ALTER TABLE "sessions" ALTER COLUMN "cost_usd" DROP NOT NULL, ALTER COLUMN "cost_usd" DROP DEFAULT;
ALTER TABLE "sessions" ADD COLUMN "unpriced_answers" INTEGER NOT NULL DEFAULT 0;

UPDATE "sessions" s SET
    "cost_usd" = (SELECT sum(e."cost_usd") FROM "events" e WHERE e."session_id" = s."id"),
    "unpriced_answers" = (SELECT count(*) FROM "events" e
                          WHERE e."session_id" = s."id" AND e."role" = 'agent' AND e."type" = 'message' AND e."cost_usd" IS NULL);

-- Same columns as before (CREATE OR REPLACE keeps the grants), cost_usd now NULL when unknown, and
-- unpriced_answers appended.
CREATE OR REPLACE VIEW session_summary AS
SELECT
    s.id AS session_id, s.user_id, s.agent_id, s.name, s.status, s.parent_id, s.created_at,
    e.first_event_at, e.last_event_at, s.last_activity_at,
    e.last_event_at - e.first_event_at AS duration,
    s.event_count, s.turn_count AS turns,
    coalesce(e.agent_messages, 0) AS agent_messages,
    coalesce(t.completed_tasks, 0) AS completed_tasks,
    coalesce(t.failed_tasks, 0) AS failed_tasks,
    s.prompt_tokens, s.completion_tokens, s.prompt_tokens + s.completion_tokens AS total_tokens,
    s.cost_usd,
    s.unpriced_answers
FROM sessions s
LEFT JOIN LATERAL (
    SELECT min(created_at) AS first_event_at, max(created_at) AS last_event_at,
           count(*) FILTER (WHERE role = 'agent' AND type = 'message') AS agent_messages
    FROM events WHERE session_id = s.id
) e ON true
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE status = 'completed') AS completed_tasks,
           count(*) FILTER (WHERE status = 'failed') AS failed_tasks
    FROM tasks WHERE session_id = s.id
) t ON true;
COMMENT ON VIEW session_summary IS 'One row per session: turns, duration, first/last activity, token totals, cost (NULL: unknown), task outcomes';

CREATE OR REPLACE VIEW daily_usage AS
SELECT
    (e.created_at AT TIME ZONE 'UTC')::date AS day, s.user_id, s.agent_id,
    count(DISTINCT e.session_id) AS sessions_active,
    count(*) FILTER (WHERE e.role = 'user' AND e.type = 'message') AS user_messages,
    count(*) FILTER (WHERE e.role = 'agent' AND e.type = 'message') AS agent_messages,
    count(*) FILTER (WHERE e.role = 'agent' AND e.type = 'error') AS failed_tasks,
    coalesce(sum(e.prompt_tokens), 0) AS prompt_tokens,
    coalesce(sum(e.completion_tokens), 0) AS completion_tokens,
    sum(e.cost_usd) AS cost_usd,
    count(*) FILTER (WHERE e.role = 'agent' AND e.type = 'message' AND e.cost_usd IS NULL) AS unpriced_answers
FROM events e
JOIN sessions s ON s.id = e.session_id
GROUP BY 1, 2, 3;
COMMENT ON VIEW daily_usage IS 'Per UTC day, user and agent: active sessions, messages, failures, tokens, cost (NULL: unknown) and unpriced answers';
