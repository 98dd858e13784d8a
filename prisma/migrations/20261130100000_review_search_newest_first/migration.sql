-- Review search for common words: the sessions are walked newest first and each is asked "does this session say
-- it?" until a page is full (src/oversight/review/review.repository.ts; docs/benchmarks.md, "Review search on
-- 1,000,000 sessions").

-- 1. Full-text search over event text, by session as well as over all events. With words alone in the index,
-- asking one session meant computing the tsvector of each of its events (5 ms for a session of 100 events); with
-- the session beside the words it is one index lookup, whatever the session's length. It replaces
-- events_search_idx: a GIN index serves a condition on any of its columns alike, so a search on the text alone
-- (review search's selective plan, docs/sql.md) uses it as it used the old one. Queries must use this exact
-- expression.
--
-- Cost, measured on 1,000,000 sessions of one event each:
-- - Size: one more key per event (its session's id): 144 MB against 58 MB there. The events of one session share
--   that key, so the overhead shrinks as sessions grow longer.
-- - Writes: gin_pending_list_limit is 256 kB instead of the default 4 MB. Every index scan reads the whole pending
--   list (new entries not merged into the tree yet), and one search asks many sessions: with a full 4 MB list one
--   such lookup took 4 ms instead of 0.05 ms. So appends merge the list into the tree more often, in smaller
--   batches (the append that fills it merges it, every few hundred short messages). Inserting 20,000 events and
--   merging their entries took 157 µs per event against 139 with the old index (which leaves most of that merging
--   to autovacuum or to the append that fills its larger list); without a pending list (fastupdate = off) 198.
--
-- btree_gin (a trusted contrib extension, like pg_trgm: the database owner may create it) gives uuid a GIN operator
-- class. On a large existing table, build the index ahead with CREATE INDEX CONCURRENTLY under this name and the
-- same definition: migrations run in a transaction, which CONCURRENTLY cannot, and a plain CREATE INDEX holds
-- appends back while it builds.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX IF NOT EXISTS "events_session_search_idx" ON "events"
    USING gin ("session_id", to_tsvector('english', event_search_text("parts"))) WITH (gin_pending_list_limit = 256);
DROP INDEX IF EXISTS "events_search_idx";

-- 2. A statement that names a PARALLEL UNSAFE function is planned without parallel workers (CREATE FUNCTION,
-- "PARALLEL"). Review search names this one in the statement that reads the first rows of every match to tell a
-- common word from a rare one: those rows end the scan, and starting and stopping workers for it took longer than
-- the whole statement without them. IMMUTABLE and plain SQL, so it is folded to true before it runs.
CREATE FUNCTION serial_plan() RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL UNSAFE AS $$ SELECT true $$;
