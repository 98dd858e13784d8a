export { AgentSessionServiceSession, type AgentSessionServiceSessionOptions } from './session.js';
export { eventToItem, eventsToItems, itemsToTurns, stepOf, META_KEY } from './items.js';
