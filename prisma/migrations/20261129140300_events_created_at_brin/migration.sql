-- Per-day counts of events over the last N days (GET /v1/admin/stats) read only the recent end of the table.
-- BRIN, not btree: events are appended in time order, so block ranges follow created_at closely; the index is a
-- few pages and costs the append path next to nothing, where a btree would add an index write to every event.
-- Ranges not yet summarised count as matching (never a wrong answer); autosummarize keeps the tail short.
-- On a large existing table, build it ahead with CREATE INDEX CONCURRENTLY under this name: migrations run in a
-- transaction, which CONCURRENTLY cannot.
CREATE INDEX IF NOT EXISTS "events_created_at_brin_idx" ON "events" USING brin ("created_at") WITH (autosummarize = on);
