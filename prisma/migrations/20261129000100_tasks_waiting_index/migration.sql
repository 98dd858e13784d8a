-- A user's plain message answers the session's task that waits for input, if there is one: every append looks
-- it up, so that lookup must stay an index probe however many tasks the session has. Few tasks wait at once,
-- so the partial index stays tiny.
CREATE INDEX "tasks_waiting_idx" ON "tasks"("session_id") WHERE "status" = 'input_required';
