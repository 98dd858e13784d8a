import type { ModelPrices } from '../../platform/config/app-config.js';
import type { Usage } from './event.record.js';

/** Token use as an agent reports it (hosted agents' replies, recorded turns). */
export interface ReportedUsage {
  promptTokens?: number;
  completionTokens?: number;
  model?: string;
}

/** The stored usage of an answer, with its cost from the price table (null for a model without a price). */
export function priceUsage(usage: ReportedUsage | undefined, prices: ModelPrices): Usage | null {
  if (!usage) return null;
  const promptTokens = usage.promptTokens ?? null;
  const completionTokens = usage.completionTokens ?? null;
  const price = usage.model ? prices[usage.model] : undefined;
  const costUsd = price
    ? Math.round((promptTokens ?? 0) * price.prompt + (completionTokens ?? 0) * price.completion) / 1e6
    : null;
  return { promptTokens, completionTokens, model: usage.model ?? null, costUsd };
}
