-- The review search's statements on the seeded scratch database (bench/review-search.seed.sql), as
-- ReviewRepository builds them. Run with: psql "$SCRATCH_URL" -v q=C-500123 -f bench/review-search.explain.sql
-- Wrap it in BEGIN; DROP INDEX …; … ROLLBACK; to time the same statements without the search indexes.
\set pattern '%' :q '%'
\echo '== q: id, name, metadata value, event text, annotation (one page of 25 + 1)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT s.id, s.user_id, s.name, s.created_at,
       (SELECT count(*) FROM tasks t WHERE t.session_id = s.id AND t.status = 'failed') AS failed,
       (SELECT coalesce(array_agg(DISTINCT l ORDER BY l), '{}') FROM annotations a, unnest(a.labels) l
         WHERE a.session_id = s.id) AS labels,
       h.seq, h.fields,
       (SELECT ts_headline('english', event_search_text(e.parts), websearch_to_tsquery('english', :'q'))
          FROM events e WHERE e.session_id = s.id AND e.seq = h.seq) AS snippet
FROM sessions s JOIN (
  SELECT u.session_id, min(u.seq) AS seq, array_agg(DISTINCT u.field ORDER BY u.field) AS fields FROM (
    SELECT e.session_id, e.seq, 'text' AS field FROM events e
     WHERE to_tsvector('english', event_search_text(e.parts)) @@ websearch_to_tsquery('english', :'q')
    UNION ALL SELECT a.session_id, NULL::int, 'annotation' FROM annotations a
     WHERE to_tsvector('english', annotation_search_text(a.text, a.labels)) @@ websearch_to_tsquery('english', :'q')
    UNION ALL SELECT m.id, NULL::int, 'metadata' FROM sessions m
     WHERE metadata_search_values(m.metadata) @> ARRAY[lower(:'q')]::text[]
    UNION ALL SELECT n.id, NULL::int, 'name' FROM sessions n WHERE n.name ILIKE :'pattern'
  ) u GROUP BY u.session_id) h ON h.session_id = s.id
ORDER BY s.created_at DESC, s.id DESC LIMIT 26;

\echo '== metadata=customer:<q> (key/value filter)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT s.id FROM sessions s WHERE (s.metadata @> jsonb_build_object('customer', :'q'))
ORDER BY s.created_at DESC, s.id DESC LIMIT 26;

\echo '== label=vip (10,000 annotated sessions, the oldest; a third vip)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT s.id FROM sessions s
WHERE s.id = ANY (ARRAY(SELECT a.session_id FROM annotations a WHERE a.labels @> ARRAY['vip']::text[]))
ORDER BY s.created_at DESC, s.id DESC LIMIT 26;
