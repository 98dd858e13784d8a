import { shouldCollect } from '../../src/platform/memory/idle-heap.collector.js';

const MiB = 2 ** 20;

describe('idle heap collection: when to collect', () => {
  it('collects only when the loop was idle and the committed heap grew well past what the last collection left', () => {
    expect(shouldCollect(0.01, 300 * MiB, 60 * MiB)).toBe(true);
    expect(shouldCollect(0.2, 300 * MiB, 60 * MiB)).toBe(false);
    expect(shouldCollect(0.01, 100 * MiB, 60 * MiB)).toBe(false);
    expect(shouldCollect(0.01, 150 * MiB, 100 * MiB)).toBe(false);
    expect(shouldCollect(0.04, 200 * MiB, 100 * MiB)).toBe(true);
  });
});
