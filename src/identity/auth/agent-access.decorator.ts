import { SetMetadata } from '@nestjs/common';

export const AGENT_ACCESS = 'auth:agentAccess';

/**
 * Opens a route to agent tokens. The global guard refuses them (403) everywhere else, so a new endpoint is
 * closed to pull workers until someone decides it makes sense for them; the service still checks which agents.
 */
export const AgentAccess = () => SetMetadata(AGENT_ACCESS, true);
