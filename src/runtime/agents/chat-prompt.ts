import { eventText, type EventRecord } from '../../conversation/records/event.record.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface PromptOptions {
  systemPrompt?: string;
  /** at most this many earlier events are considered */
  window: number;
  /** estimated token budget for the whole prompt; the oldest turns are dropped first */
  maxPromptTokens: number;
}

/** A rough, dependency-free estimate (about four characters per token) used only to stay within a budget. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4;
}

function toChatMessage(event: EventRecord): ChatMessage | undefined {
  if (event.type !== 'message' || (event.role !== 'user' && event.role !== 'agent')) return undefined;
  const data = event.parts.filter((p) => p.kind === 'data').map((p) => JSON.stringify((p as { data: unknown }).data));
  const content = [eventText(event.parts), ...data].filter(Boolean).join('\n');
  return content ? { role: event.role === 'user' ? 'user' : 'assistant', content } : undefined;
}

/**
 * Builds a chat-completions prompt from the session history: the system prompt, then as many of the most
 * recent messages as fit the budget, then the new user message (always kept).
 */
export function buildChatPrompt(history: EventRecord[], current: EventRecord, options: PromptOptions): ChatMessage[] {
  const system: ChatMessage[] = options.systemPrompt ? [{ role: 'system', content: options.systemPrompt }] : [];
  const last = toChatMessage(current) ?? { role: 'user', content: '' };
  let budget = options.maxPromptTokens - [...system, last].reduce((sum, m) => sum + estimateTokens(m.content), 0);
  const kept: ChatMessage[] = [];
  const candidates = history
    .slice(-options.window)
    .map(toChatMessage)
    .filter((m): m is ChatMessage => !!m);
  for (let i = candidates.length - 1; i >= 0; i--) {
    const cost = estimateTokens(candidates[i].content);
    if (cost > budget) break;
    budget -= cost;
    kept.unshift(candidates[i]);
  }
  return [...system, ...kept, last];
}
