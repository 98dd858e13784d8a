-- bench/append.pgbench.sql with p_notify = false: the same append without NOTIFY in its transaction, which is how
-- the service calls it (it notifies after commit, coalesced). The gap between the two is the cost of NOTIFY.
\set n random(1, 200)
SELECT r.agent_id, r.turn, (r.event).seq, (r.task).id
FROM append_event((SELECT id FROM bench_sessions WHERE n = :n), gen_random_uuid(), 'message', 'user',
       '[{"kind":"text","text":"hello"}]'::jsonb, '{}'::jsonb, NULL, gen_random_uuid(), NULL, NULL, NULL, NULL,
       'bench', true, :refused::text[], :reopened::text[], false) r;
