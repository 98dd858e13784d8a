-- Push notifications: A2A push notification configs and REST session webhooks (one table, `webhooks`), and a
-- durable outbox of deliveries (`webhook_deliveries`) that a worker POSTs with retries.
--
-- Deliveries are written by triggers on `tasks` and `events`, so a delivery row commits in the same
-- transaction as the change it reports, whichever write path made it (append, claim, settle, cancel, resubmit,
-- release): a crash can lose neither the change's notification nor leave a notification for a change that
-- rolled back. Trade-off: every task status change and every non-user event pays one index probe on
-- `webhooks` (an empty result when nobody subscribed), in exchange for not threading an outbox write through
-- each of those statements.

CREATE TABLE "webhooks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    -- 'a2a': an A2A TaskPushNotificationConfig of one task; 'session': a REST webhook of one session
    "kind" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "session_id" UUID NOT NULL,
    "task_id" UUID,
    -- the A2A config's id as the client sees it (client-chosen or generated); NULL for session webhooks
    "config_id" TEXT,
    "url" TEXT NOT NULL,
    -- A2A: sent as X-A2A-Notification-Token; session webhooks: sent as X-Webhook-Token
    "token" TEXT,
    -- A2A AuthenticationInfo: sent as `Authorization: <scheme> <credentials>`
    "auth_scheme" TEXT,
    "auth_credentials" TEXT,
    -- session webhooks: the HMAC-SHA256 signing key (kept in clear: the service must sign with it)
    "secret" TEXT,
    -- A2A: the protocol version the config was registered over ('1.0' or '0.3'), which shapes the body
    "wire_version" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhooks_kind_check" CHECK ("kind" IN ('a2a', 'session')),
    CONSTRAINT "webhooks_kind_fields_check" CHECK (
        ("kind" = 'a2a' AND "task_id" IS NOT NULL AND "config_id" IS NOT NULL)
        OR ("kind" = 'session' AND "task_id" IS NULL AND "config_id" IS NULL AND "secret" IS NOT NULL)),
    CONSTRAINT "webhooks_url_check" CHECK ("url" ~ '^https?://')
);
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_session_id_fkey"
    FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_task_id_fkey"
    FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- one webhook per session; one config per (task, config id); both also serve the triggers' lookups
CREATE UNIQUE INDEX "webhooks_session_key" ON "webhooks"("session_id") WHERE "kind" = 'session';
CREATE UNIQUE INDEX "webhooks_task_config_key" ON "webhooks"("task_id", "config_id");
-- a session's webhooks of both kinds (the cascade when a session is deleted, e.g. by the retention purge)
CREATE INDEX "webhooks_session_idx" ON "webhooks"("session_id");

CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "webhook_id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "task_id" UUID,
    -- 'task.status': a task changed status; 'session.event': an agent, tool or system event was stored
    "topic" TEXT NOT NULL,
    -- the status the task moved to (task.status), as it was when the change committed
    "task_status" TEXT,
    -- the stored event (session.event)
    "event_id" UUID,
    "event_seq" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    -- when a pending delivery is next due; while an attempt runs, the end of its lease
    "next_attempt_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(6),
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(6),
    -- every attempt that ended: [{attempt, at, statusCode, error}] (at most WEBHOOK_MAX_ATTEMPTS entries)
    "attempt_log" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_deliveries_topic_check" CHECK ("topic" IN ('task.status', 'session.event')),
    CONSTRAINT "webhook_deliveries_status_check" CHECK ("status" IN ('pending', 'delivered', 'failed'))
);
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey"
    FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- the worker's claim: due pending rows, and "no earlier pending row of the same webhook" (in-order delivery)
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries"("next_attempt_at") WHERE "status" = 'pending';
CREATE INDEX "webhook_deliveries_pending_idx" ON "webhook_deliveries"("webhook_id", "id") WHERE "status" = 'pending';
-- a webhook's delivery log, newest first
CREATE INDEX "webhook_deliveries_webhook_idx" ON "webhook_deliveries"("webhook_id", "id" DESC);

-- The outbox writers. Each wakes the delivery workers (on commit) only when it wrote a row.
CREATE FUNCTION webhook_deliveries_for_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_deliveries (webhook_id, session_id, task_id, topic, task_status)
    SELECT w.id, NEW.session_id, NEW.id, 'task.status', NEW.status
    FROM webhooks w
    WHERE (w.kind = 'session' AND w.session_id = NEW.session_id)
       OR (w.kind = 'a2a' AND w.task_id = NEW.id);
    IF FOUND THEN
        -- the channel of CHANNELS.deliveryQueued (src/platform/notifications/channels.ts)
        PERFORM pg_notify('agent_delivery_queued', '');
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER "tasks_webhook_deliveries" AFTER INSERT OR UPDATE OF "status" ON "tasks"
    FOR EACH ROW EXECUTE FUNCTION webhook_deliveries_for_task();

-- Session webhooks hear what the agent side stored (answers, steps, artifacts, state patches, errors); the
-- client's own messages are not echoed back.
CREATE FUNCTION webhook_deliveries_for_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (webhook_id, session_id, task_id, topic, event_id, event_seq)
    SELECT w.id, NEW.session_id, NEW.task_id, 'session.event', NEW.id, NEW.seq
    FROM webhooks w
    WHERE w.kind = 'session' AND w.session_id = NEW.session_id;
    IF FOUND THEN
        PERFORM pg_notify('agent_delivery_queued', '');
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER "events_webhook_deliveries" AFTER INSERT ON "events"
    FOR EACH ROW WHEN (NEW.role <> 'user') EXECUTE FUNCTION webhook_deliveries_for_event();
