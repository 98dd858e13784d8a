-- The review search's statements on the seeded scratch database (bench/review-search.seed.sql), as
-- ReviewRepository builds them. Run with: psql "$SCRATCH_URL" -v q=C-500123 -f bench/review-search.explain.sql
-- Optional: -v id=1 when q is a session id (adds the id branch), -v before_at=… -v before_id=… for a later
-- page (the cursor's created_at and id), -v common=… and -v probe=… for REVIEW_SEARCH_COMMON_MATCHES and
-- REVIEW_SEARCH_PROBE_SESSIONS (defaults 10000 and 2500).
-- Wrap it in BEGIN; DROP INDEX …; … ROLLBACK; to time the same statements without the search indexes.
\set pattern '%' :q '%'
\if :{?common} \else \set common 10000 \endif
\if :{?probe} \else \set probe 2500 \endif
\if :{?id} \set idbranch 'UNION ALL SELECT ' :'q' '::uuid, NULL::int, ''id''' \set idfield 'CASE WHEN s.id = ' :'q' '::uuid THEN ''id''::text END,'
\else \set idbranch '' \set idfield '' \endif
\if :{?before_at} \set cursor 'AND (s.created_at, s.id) < (' :'before_at' '::timestamptz, ' :'before_id' '::uuid)'
\else \set cursor '' \endif

\echo '== q, first statement: up to REVIEW_SEARCH_COMMON_MATCHES match rows through one index per field; the page from them when fewer'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
WITH u AS MATERIALIZED (SELECT * FROM (
    SELECT e.session_id, e.seq, 'text' AS field FROM events e
     WHERE to_tsvector('english', event_search_text(e.parts)) @@ websearch_to_tsquery('english', :'q')
    UNION ALL SELECT a.session_id, NULL::int, 'annotation' FROM annotations a
     WHERE to_tsvector('english', annotation_search_text(a.text, a.labels)) @@ websearch_to_tsquery('english', :'q')
    UNION ALL SELECT m.id, NULL::int, 'metadata' FROM sessions m
     WHERE metadata_search_values(m.metadata) @> ARRAY[lower(:'q')]::text[]
    UNION ALL SELECT n.id, NULL::int, 'name' FROM sessions n WHERE n.name ILIKE :'pattern'
    :idbranch
  ) m WHERE serial_plan() LIMIT :common)
SELECT c.match_rows, p.* FROM (SELECT count(*)::int AS match_rows FROM u) c
LEFT JOIN LATERAL (
  SELECT s.id, s.user_id, s.name, s.created_at,
         (SELECT count(*) FROM tasks t WHERE t.session_id = s.id AND t.status = 'failed') AS failed,
         (SELECT coalesce(array_agg(DISTINCT l ORDER BY l), '{}') FROM annotations a, unnest(a.labels) l
           WHERE a.session_id = s.id) AS labels,
         h.seq, h.fields,
         (SELECT ts_headline('english', event_search_text(e.parts), websearch_to_tsquery('english', :'q'),
                   'StartSel=«, StopSel=», MaxWords=24, MinWords=8, MaxFragments=1')
            FROM events e WHERE e.session_id = s.id AND e.seq = h.seq) AS snippet
  FROM sessions s JOIN (
    SELECT u.session_id, min(u.seq) AS seq, array_agg(DISTINCT u.field ORDER BY u.field) AS fields
    FROM (SELECT * FROM u) u GROUP BY u.session_id) h ON h.session_id = s.id
  WHERE c.match_rows < :common :cursor
  ORDER BY s.created_at DESC, s.id DESC LIMIT 26
) p ON TRUE
ORDER BY p.created_at DESC, p.id DESC;

\echo '== q, when that many rows came: up to REVIEW_SEARCH_PROBE_SESSIONS sessions newest first, each probed, until 26 hits'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT s.id, s.user_id, s.name, s.created_at,
       (SELECT count(*) FROM tasks t WHERE t.session_id = s.id AND t.status = 'failed') AS failed,
       (SELECT coalesce(array_agg(DISTINCT l ORDER BY l), '{}') FROM annotations a, unnest(a.labels) l
         WHERE a.session_id = s.id) AS labels,
       p.seq, p.fields,
       (SELECT ts_headline('english', event_search_text(e.parts), websearch_to_tsquery('english', :'q'),
                 'StartSel=«, StopSel=», MaxWords=24, MinWords=8, MaxFragments=1')
          FROM events e WHERE e.session_id = s.id AND e.seq = p.seq) AS snippet,
       s.n = :probe AS walk_end
FROM (SELECT s.id, s.user_id, s.agent_id, s.name, s.status, s.created_at, s.last_activity_at, s.event_count,
             s.metadata, row_number() OVER (ORDER BY s.created_at DESC, s.id DESC) AS n
      FROM sessions s WHERE TRUE :cursor ORDER BY s.created_at DESC, s.id DESC LIMIT :probe) s
CROSS JOIN LATERAL (
  SELECT f.seq, array_remove(ARRAY[
      CASE WHEN EXISTS (SELECT 1 FROM annotations a WHERE a.session_id = s.id
                          AND to_tsvector('english', annotation_search_text(a.text, a.labels))
                              @@ websearch_to_tsquery('english', :'q'))
           THEN 'annotation'::text END,
      :idfield
      CASE WHEN metadata_search_values(s.metadata) @> ARRAY[lower(:'q')]::text[] THEN 'metadata'::text END,
      CASE WHEN s.name ILIKE :'pattern' THEN 'name'::text END,
      CASE WHEN f.seq IS NOT NULL THEN 'text'::text END], NULL) AS fields
  FROM (SELECT (SELECT min(e.seq) FROM events e WHERE e.session_id = s.id
                  AND to_tsvector('english', event_search_text(e.parts)) @@ websearch_to_tsquery('english', :'q'))
                AS seq OFFSET 0) f
  OFFSET 0) p
WHERE cardinality(p.fields) > 0 OR s.n = :probe
ORDER BY s.created_at DESC, s.id DESC LIMIT 27;

\echo '== q, every match collected and sorted (the rest of a page after a short walk; the only plan before)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT s.id, s.user_id, s.name, s.created_at,
       (SELECT count(*) FROM tasks t WHERE t.session_id = s.id AND t.status = 'failed') AS failed,
       (SELECT coalesce(array_agg(DISTINCT l ORDER BY l), '{}') FROM annotations a, unnest(a.labels) l
         WHERE a.session_id = s.id) AS labels,
       h.seq, h.fields,
       (SELECT ts_headline('english', event_search_text(e.parts), websearch_to_tsquery('english', :'q'),
                 'StartSel=«, StopSel=», MaxWords=24, MinWords=8, MaxFragments=1')
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
    :idbranch
  ) u GROUP BY u.session_id) h ON h.session_id = s.id
WHERE TRUE :cursor
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
