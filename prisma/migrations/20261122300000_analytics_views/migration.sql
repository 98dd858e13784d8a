-- Views for analysts and a read-only role. Views are not modelled in schema.prisma.

-- One row per session: turns, duration, activity, tokens, cost and task outcomes.
CREATE VIEW session_summary AS
SELECT
    s.id AS session_id, s.user_id, s.agent_id, s.name, s.status, s.parent_id, s.created_at,
    e.first_event_at, e.last_event_at, s.last_activity_at,
    e.last_event_at - e.first_event_at AS duration,
    s.event_count, s.turn_count AS turns,
    coalesce(e.agent_messages, 0) AS agent_messages,
    coalesce(t.completed_tasks, 0) AS completed_tasks,
    coalesce(t.failed_tasks, 0) AS failed_tasks,
    s.prompt_tokens, s.completion_tokens, s.prompt_tokens + s.completion_tokens AS total_tokens,
    s.cost_usd
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
COMMENT ON VIEW session_summary IS 'One row per session: turns, duration, first/last activity, token totals, cost, task outcomes';

-- One row per task: how long it waited, how long it ran, how it ended, what its answer cost.
CREATE VIEW task_metrics AS
SELECT
    t.id AS task_id, t.session_id, s.user_id, t.agent_id, t.status, t.attempts, t.turn,
    t.created_at, t.started_at, t.finished_at,
    t.started_at - t.created_at AS queue_wait,
    t.finished_at - t.started_at AS run_time,
    t.finished_at - t.created_at AS total_time,
    t.status = 'completed' AS succeeded,
    t.status = 'failed' AS failed,
    t.error,
    r.model, r.prompt_tokens, r.completion_tokens, r.cost_usd
FROM tasks t
JOIN sessions s ON s.id = t.session_id
LEFT JOIN events r ON r.id = t.response_event_id;
COMMENT ON VIEW task_metrics IS 'One row per task: queue wait, run time, outcome, and the usage of its answer';

-- Per UTC day, user and agent: activity, tokens, cost and failures.
CREATE VIEW daily_usage AS
SELECT
    (e.created_at AT TIME ZONE 'UTC')::date AS day, s.user_id, s.agent_id,
    count(DISTINCT e.session_id) AS sessions_active,
    count(*) FILTER (WHERE e.role = 'user' AND e.type = 'message') AS user_messages,
    count(*) FILTER (WHERE e.role = 'agent' AND e.type = 'message') AS agent_messages,
    count(*) FILTER (WHERE e.role = 'agent' AND e.type = 'error') AS failed_tasks,
    coalesce(sum(e.prompt_tokens), 0) AS prompt_tokens,
    coalesce(sum(e.completion_tokens), 0) AS completion_tokens,
    coalesce(sum(e.cost_usd), 0) AS cost_usd
FROM events e
JOIN sessions s ON s.id = e.session_id
GROUP BY 1, 2, 3;
COMMENT ON VIEW daily_usage IS 'Per UTC day, user and agent: active sessions, messages, failures, tokens and cost';

-- Read-only access for analysts: the tables and views, but not token hashes. Roles are cluster-wide, so
-- the role is created only if it does not exist yet. Grant it to a login to use it (see docs/sql.md).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'analytics_reader') THEN
        CREATE ROLE analytics_reader NOLOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO analytics_reader', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO analytics_reader;
GRANT SELECT ON users, sessions, events, tasks, session_summary, task_metrics, daily_usage TO analytics_reader;
