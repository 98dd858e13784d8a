import { BaseLlm, type BaseLlmConnection, type LlmRequest, type LlmResponse } from '@google/adk';

/**
 * A model for ADK's Runner that answers from a script, one response per call, and remembers the contents it was
 * sent (no network).
 */
export class ScriptedLlm extends BaseLlm {
  readonly requests: LlmRequest['contents'][] = [];

  constructor(private readonly script: LlmResponse[]) {
    super({ model: 'scripted' });
  }

  async *generateContentAsync(request: LlmRequest): AsyncGenerator<LlmResponse, void> {
    this.requests.push(structuredClone(request.contents));
    const response = this.script.shift();
    if (!response) throw new Error('the scripted model ran out of responses');
    yield response;
  }

  async connect(): Promise<BaseLlmConnection> {
    throw new Error('live connections are not scripted');
  }
}
