export { AgentSessionService, sessionKey, type AgentSessionServiceOptions } from './session-service.js';
export { invocationToTurn, stepOf, toAdkEvent, META_KEY } from './events.js';
