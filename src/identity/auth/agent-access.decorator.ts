import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const AGENT_ACCESS = 'auth:agentAccess';
/** The API document marks the operations open to agent tokens with this extension. */
export const AGENT_ACCESS_EXTENSION = 'x-agent-token-access';

/**
 * Opens a route to agent tokens. The global guard refuses them (403) everywhere else, so a new endpoint is
 * closed to pull workers until someone decides it makes sense for them; the service still checks which agents.
 */
export const AgentAccess = () =>
  applyDecorators(SetMetadata(AGENT_ACCESS, true), ApiExtension(AGENT_ACCESS_EXTENSION, true));
