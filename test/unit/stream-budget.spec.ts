import { AppConfig } from '../../src/platform/config/app-config.js';
import { MetricsService } from '../../src/platform/metrics/metrics.service.js';
import { StreamBudget, type BudgetLease } from '../../src/platform/http/stream-budget.js';

const budgetOf = (bytes: number) =>
  new StreamBudget(AppConfig.fromEnv({ STREAM_MEMORY_BUDGET_BYTES: String(bytes) }), new MetricsService());
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Starts an acquire and records when it is granted. */
function pending(budget: StreamBudget, bytes: number) {
  const state: { lease?: BudgetLease } = {};
  void budget.acquire(bytes).then((lease) => (state.lease = lease));
  return state;
}

describe('StreamBudget', () => {
  it('grants at once what fits, and makes the next wait until enough is given back', async () => {
    const budget = budgetOf(1_000);
    const first = await budget.acquire(600);
    const second = pending(budget, 600);
    await tick();
    expect({ held: budget.heldBytes, granted: !!second.lease }).toEqual({ held: 600, granted: false });
    first.shrinkTo(500);
    await tick();
    expect({ held: budget.heldBytes, granted: !!second.lease }).toEqual({ held: 500, granted: false });
    first.release();
    await tick();
    expect({ held: budget.heldBytes, granted: second.lease?.bytes }).toEqual({ held: 600, granted: 600 });
  });

  it('serves waiters in order, so a big request is not passed by small ones', async () => {
    const budget = budgetOf(1_000);
    const held = await budget.acquire(900);
    const big = pending(budget, 800);
    const small = pending(budget, 50);
    await tick();
    expect([!!big.lease, !!small.lease]).toEqual([false, false]);
    held.release();
    await tick();
    expect([!!big.lease, !!small.lease]).toEqual([true, true]);
    expect(budget.heldBytes).toBe(850);
  });

  it('gives a request above the whole budget all of it, once everything else is back', async () => {
    const budget = budgetOf(1_000);
    const small = await budget.acquire(10);
    const huge = pending(budget, 5_000);
    await tick();
    expect(huge.lease).toBeUndefined();
    small.release();
    await tick();
    expect(huge.lease?.bytes).toBe(1_000);
  });

  it('counts a lease once, however often it is released, and never grows it', async () => {
    const budget = budgetOf(1_000);
    const lease = await budget.acquire(400);
    lease.shrinkTo(700);
    expect(lease.bytes).toBe(400);
    lease.release();
    lease.release();
    lease.shrinkTo(100);
    expect({ lease: lease.bytes, held: budget.heldBytes }).toEqual({ lease: 0, held: 0 });
  });

  it('waits for nothing when turned off (0)', async () => {
    const budget = budgetOf(0);
    const leases = await Promise.all([budget.acquire(1e9), budget.acquire(1e9)]);
    expect(leases.map((l) => l.bytes)).toEqual([0, 0]);
  });
});
