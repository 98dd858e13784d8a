-- What an agent kind remembers about a session between turns, opaque to the service: the a2a agent keeps the
-- remote agent's contextId (and the remote task waiting for input) here, so the next turn continues the
-- remote conversation on any instance and after a restart. Written with the turn's answer, in the settle
-- transaction, only while the worker holds the task's lease. Not part of the session's API or hash chain.
ALTER TABLE "sessions" ADD COLUMN "agent_context" JSONB;
