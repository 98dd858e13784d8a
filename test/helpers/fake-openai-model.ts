import { Usage, type Model, type ModelProvider, type ModelRequest, type ModelResponse } from '@openai/agents';

type Output = ModelResponse['output'];

/**
 * A model that answers from a script, one response per call, and remembers what it was sent. Implements the
 * SDK's Model and ModelProvider interfaces, so the real Runner drives it (no network).
 */
export class ScriptedModel implements Model, ModelProvider {
  readonly requests: ModelRequest[] = [];

  constructor(private readonly script: Output[]) {}

  getModel(): Model {
    return this;
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(structuredClone(request));
    const output = this.script.shift();
    if (!output) throw new Error('the scripted model ran out of responses');
    const usage = new Usage({ requests: 1, inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    return { usage, output, responseId: `resp_${this.requests.length}` };
  }

  // eslint-disable-next-line require-yield
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('not streamed in these tests');
  }
}

export const assistant = (id: string, text: string): Output[number] => ({
  type: 'message',
  role: 'assistant',
  id,
  status: 'completed',
  content: [{ type: 'output_text', text }],
});
