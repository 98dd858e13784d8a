-- Task status `rejected` was declared but nothing ever set it: an agent that refuses a turn fails its task
-- with the reason. Drop it so the constraint lists exactly the statuses of the state machine
-- (src/conversation/status.machine.ts). No row can hold it; the UPDATE is a guard for hand-edited databases.
UPDATE "tasks" SET "status" = 'failed', "error" = coalesce("error", 'rejected') WHERE "status" = 'rejected';
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_status_check";
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_status_check"
    CHECK ("status" IN ('submitted', 'working', 'input_required', 'completed', 'failed', 'canceled'));
