-- Support workspace: reviewers' annotations, and review search by session id, name and metadata values.

-- 1. Annotations: notes and labels that reviewers and admins leave on a session or on one of its events.
-- Append-only and attributed (author and role copied from the token, so a later role change does not rewrite
-- who wrote what). seq anchors it to an event; event_id is that event's id (ids are unique per session only).
-- shared: set by an admin only; the session's owner sees shared annotations, never the others.
-- Deleted with their session by the retention purge (the same app.allow_purge exception as events).
-- created_at has millisecond precision, like the JavaScript dates that carry it in keyset cursors.
CREATE TABLE "annotations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "session_id" UUID NOT NULL,
    "seq" INTEGER,
    "event_id" UUID,
    "text" TEXT,
    "labels" TEXT[] NOT NULL DEFAULT '{}',
    "shared" BOOLEAN NOT NULL DEFAULT false,
    "author_id" TEXT NOT NULL,
    "author_role" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "annotations_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "annotations_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE,
    CONSTRAINT "annotations_content_check" CHECK ("text" IS NOT NULL OR cardinality("labels") > 0),
    CONSTRAINT "annotations_anchor_check" CHECK (("seq" IS NULL) = ("event_id" IS NULL) AND ("seq" IS NULL OR "seq" > 0)),
    CONSTRAINT "annotations_author_role_check" CHECK ("author_role" IN ('reviewer', 'admin'))
);

-- A session's annotations in the order they were written (keyset on created_at, id).
CREATE INDEX "annotations_session_id_created_at_id_idx" ON "annotations"("session_id", "created_at", "id");
-- The review list's label filter.
CREATE INDEX "annotations_labels_idx" ON "annotations" USING gin ("labels");

CREATE FUNCTION annotation_search_text(p_text TEXT, p_labels TEXT[]) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT concat_ws(' ', p_text, array_to_string(p_labels, ' '))
$$;
-- Full-text search over annotation text and labels. Queries must use this exact expression.
CREATE INDEX "annotations_search_idx" ON "annotations"
    USING gin (to_tsvector('english', annotation_search_text("text", "labels")));

CREATE FUNCTION annotations_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('app.allow_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'annotations are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation', HINT = 'add a new annotation that corrects it';
END
$$;
CREATE TRIGGER "annotations_append_only_row" BEFORE UPDATE OR DELETE ON "annotations"
    FOR EACH ROW EXECUTE FUNCTION annotations_append_only();
CREATE TRIGGER "annotations_append_only_truncate" BEFORE TRUNCATE ON "annotations"
    FOR EACH STATEMENT EXECUTE FUNCTION annotations_append_only();

-- 2. Session search. A trigram index finds a word anywhere in a session's name (ILIKE '%…%', 3+ characters).
-- pg_trgm is a trusted contrib extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "sessions_name_trgm_idx" ON "sessions" USING gin ("name" gin_trgm_ops);

-- Metadata values at any depth, lower-cased: "C-1009" finds {"customer": "C-1009"} without naming the key.
-- Values over 200 characters are left out: a GIN entry must stay well under its ~2.7 kB limit, and nobody
-- searches for such a value by typing it.
CREATE FUNCTION metadata_search_values(p_metadata JSONB) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT lower(v #>> '{}')), '{}')
    FROM jsonb_path_query(p_metadata, 'strict $.**') AS v
    WHERE jsonb_typeof(v) IN ('string', 'number', 'boolean') AND length(v #>> '{}') <= 200
$$;
CREATE INDEX "sessions_metadata_values_idx" ON "sessions" USING gin (metadata_search_values("metadata"));

-- Key/value filters (metadata @> '{"customer": "C-1009"}').
CREATE INDEX "sessions_metadata_idx" ON "sessions" USING gin ("metadata" jsonb_path_ops);
