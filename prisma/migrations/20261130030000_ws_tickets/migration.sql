-- Tickets for opening a WebSocket (GET /v1/sessions/:id/ws?ticket=...): browsers cannot send an Authorization
-- header on a WebSocket, and a bearer token in a URL ends up in logs. A ticket is short-lived, single-use and
-- bound to the token that asked for it and to one session. Stored here (only its SHA-256), not in memory, so a
-- ticket issued by one instance opens a socket on any other.
-- No foreign key to sessions: the retention purge deletes whole sessions and a key would make it check this
-- table; redeeming a ticket checks the session anyway. Redemption is one UPDATE ... RETURNING on the unique
-- hash, so two redemptions of one ticket cannot both succeed.
CREATE TABLE "ws_tickets" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "ticket_hash" TEXT NOT NULL,
    "token_id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "consumed_at" TIMESTAMPTZ(6),
    CONSTRAINT "ws_tickets_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ws_tickets_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "api_tokens"("id") ON DELETE CASCADE,
    CONSTRAINT "ws_tickets_expiry_check" CHECK ("expires_at" > "created_at")
);
CREATE UNIQUE INDEX "ws_tickets_ticket_hash_key" ON "ws_tickets"("ticket_hash");
-- Issuing a ticket deletes a few long-expired ones, oldest first.
CREATE INDEX "ws_tickets_expires_at_idx" ON "ws_tickets"("expires_at");
-- The token foreign key's cascade looks tickets up by token.
CREATE INDEX "ws_tickets_token_id_idx" ON "ws_tickets"("token_id");
