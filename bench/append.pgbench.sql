-- One append exactly as the service sends it: the append_event function that EventAppendRepository.append calls
-- (src/conversation/store/event-append.repository.ts), with the status lists bench/run.mjs takes from the built
-- status machine (-D refused=… -D reopened=…). A user message that creates its task and notifies.
\set n random(1, 200)
SELECT r.agent_id, r.turn, (r.event).seq, (r.task).id
FROM append_event((SELECT id FROM bench_sessions WHERE n = :n), gen_random_uuid(), 'message', 'user',
       '[{"kind":"text","text":"hello"}]'::jsonb, '{}'::jsonb, NULL, gen_random_uuid(), NULL, NULL, NULL, NULL,
       'bench', true, :refused::text[], :reopened::text[], true) r;
