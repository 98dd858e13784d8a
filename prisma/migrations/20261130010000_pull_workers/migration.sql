-- Pull workers: tokens of role `agent`, bound to the agents whose tasks they claim and whose sessions they read.
ALTER TABLE "api_tokens" DROP CONSTRAINT "api_tokens_role_check";
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_role_check" CHECK ("role" IN ('user', 'reviewer', 'admin', 'agent'));
ALTER TABLE "api_tokens" ADD COLUMN "agent_ids" TEXT[] NOT NULL DEFAULT '{}';
-- an agent token is bound to at least one agent, and only agent tokens are bound to any
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_agent_ids_check"
  CHECK (("role" = 'agent') = (cardinality("agent_ids") > 0));

-- A pull claim takes one agent's runnable tasks, oldest first (QueueRepository.claim with an agent id).
CREATE INDEX "tasks_pending_agent_idx" ON "tasks"("agent_id", "created_at") WHERE "status" IN ('submitted', 'working');
