-- Review search on 1,000,000 sessions (docs/benchmarks.md, "Review search"). Run on a scratch database that
-- has every migration applied:  psql "$SCRATCH_URL" -v ON_ERROR_STOP=1 -f bench/review-search.seed.sql
-- One user message per session, metadata {customer, channel, region}, names "Order question #<n>", and an
-- annotation on each of the 10,000 oldest sessions (the worst case for a newest-first label filter). Hashes are placeholders: the chain is not what this measures.
\timing on
INSERT INTO users (id) SELECT 'user-' || g FROM generate_series(1, 1000) g;

INSERT INTO sessions (id, user_id, agent_id, name, metadata, created_at, last_activity_at, event_count, turn_count)
SELECT gen_random_uuid(), 'user-' || (g % 1000 + 1), 'echo', 'Order question #' || g,
       jsonb_build_object('customer', 'C-' || g, 'channel', (ARRAY['web', 'mail', 'phone'])[g % 3 + 1],
                          'region', jsonb_build_object('country', (ARRAY['FR', 'DE', 'US', 'JP'])[g % 4 + 1])),
       now() - make_interval(secs => g), now() - make_interval(secs => g), 1, 1
FROM generate_series(1, 1000000) g;

INSERT INTO events (id, session_id, seq, type, role, parts, created_at, hash)
SELECT gen_random_uuid(), s.id, 1, 'message', 'user',
       jsonb_build_array(jsonb_build_object('kind', 'text', 'text',
         (ARRAY['My kettle arrived broken', 'Where is my parcel?', 'I was charged twice', 'Please cancel my order'])
           [(row_number() OVER ()) % 4 + 1] || ' (order ' || (row_number() OVER ()) || ')')),
       s.created_at, '\x00'::bytea
FROM sessions s;

INSERT INTO annotations (session_id, text, labels, author_id, author_role)
SELECT id, 'Checked by support', ARRAY[(ARRAY['refund', 'vip', 'follow-up'])[(row_number() OVER ()) % 3 + 1]],
       'rita', 'reviewer'
FROM (SELECT id FROM sessions ORDER BY created_at LIMIT 10000) s;

VACUUM ANALYZE users, sessions, events, annotations;
