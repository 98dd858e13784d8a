import fc from 'fast-check';
import { AppConfig } from '../../src/platform/config/app-config.js';
import { MetricsService } from '../../src/platform/metrics/metrics.service.js';
import { StreamBudget, type BudgetLease } from '../../src/platform/http/stream-budget.js';

/** A budget of `bytes`, each owner's share `share` (0: no share). */
const budgetOf = (bytes: number, share = 0) =>
  new StreamBudget(
    AppConfig.fromEnv({ STREAM_MEMORY_BUDGET_BYTES: String(bytes), STREAM_MEMORY_SHARE_BYTES: String(share) }),
    new MetricsService(),
  );
const tick = () => new Promise((resolve) => setImmediate(resolve));

interface Pending {
  owner: string;
  asked: number;
  lease?: BudgetLease;
}

/** Starts an acquire and records when it is granted (in `granted`, when given). */
function pending(budget: StreamBudget, bytes: number, owner = 'a', granted?: Pending[]): Pending {
  const state: Pending = { owner, asked: bytes };
  void budget.acquire(bytes, owner).then((lease) => {
    state.lease = lease;
    granted?.push(state);
  });
  return state;
}

describe('StreamBudget', () => {
  it('grants at once what fits, and makes the next wait until enough is given back', async () => {
    const budget = budgetOf(1_000);
    const first = await budget.acquire(600, 'a');
    const second = pending(budget, 600, 'b');
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
    const budget = budgetOf(1_000, 900);
    const held = await budget.acquire(900, 'a');
    const big = pending(budget, 800, 'b');
    const small = pending(budget, 50, 'c');
    await tick();
    expect([!!big.lease, !!small.lease]).toEqual([false, false]);
    held.release();
    await tick();
    expect([!!big.lease, !!small.lease]).toEqual([true, true]);
    expect(budget.heldBytes).toBe(850);
  });

  it('gives a request above the whole budget all of it, once everything else is back', async () => {
    const budget = budgetOf(1_000);
    const small = await budget.acquire(10, 'a');
    const huge = pending(budget, 5_000, 'b');
    await tick();
    expect(huge.lease).toBeUndefined();
    small.release();
    await tick();
    expect(huge.lease?.bytes).toBe(1_000);
  });

  it('counts a lease once, however often it is released, and never grows it', async () => {
    const budget = budgetOf(1_000);
    const lease = await budget.acquire(400, 'a');
    lease.shrinkTo(700);
    expect(lease.bytes).toBe(400);
    lease.release();
    lease.release();
    lease.shrinkTo(100);
    expect({ lease: lease.bytes, held: budget.heldBytes }).toEqual({ lease: 0, held: 0 });
  });

  it('waits for nothing when turned off (0)', async () => {
    const budget = budgetOf(0);
    const leases = await Promise.all([budget.acquire(1e9, 'a'), budget.acquire(1e9, 'a')]);
    expect(leases.map((l) => l.bytes)).toEqual([0, 0]);
  });

  describe('shares per owner', () => {
    it('keeps an owner at its share while other owners are served', async () => {
      const budget = budgetOf(1_000, 300);
      const first = await budget.acquire(200, 'a');
      const second = pending(budget, 200, 'a');
      const other = pending(budget, 200, 'b');
      await tick();
      expect([!!second.lease, other.lease?.bytes]).toEqual([false, 200]);
      first.shrinkTo(100);
      await tick();
      expect(second.lease?.bytes).toBe(200);
      expect(budget.heldBytes).toBe(500);
    });

    it("lets other owners pass an owner's waiting requests, which keep their own order", async () => {
      const budget = budgetOf(1_000, 300);
      const granted: Pending[] = [];
      const held = await budget.acquire(250, 'a');
      const stuck = [pending(budget, 100, 'a', granted), pending(budget, 10, 'a', granted)];
      const others = [pending(budget, 300, 'b', granted), pending(budget, 300, 'c', granted)];
      await tick();
      expect(granted).toEqual(others);
      held.release();
      await tick();
      expect(granted).toEqual([...others, ...stuck]);
      expect(budget.heldBytes).toBe(710);
    });

    it('grants a request above the share once its owner holds nothing, however many other owners wait', async () => {
      const budget = budgetOf(1_000, 200);
      const small = await budget.acquire(100, 'a');
      const big = pending(budget, 700, 'a');
      const others = [pending(budget, 150, 'b'), pending(budget, 150, 'c')];
      await tick();
      expect([!!big.lease, ...others.map((o) => !!o.lease)]).toEqual([false, true, true]);
      small.release();
      await tick();
      expect(big.lease?.bytes).toBe(700);
      expect(budget.heldBytes).toBe(1_000);
      const next = pending(budget, 10, 'a');
      const late = pending(budget, 10, 'd');
      await tick();
      expect([!!next.lease, !!late.lease]).toEqual([false, false]);
    });

    it('caps no owner when the share is 0', async () => {
      const budget = budgetOf(1_000, 0);
      const leases = [await budget.acquire(500, 'a'), await budget.acquire(500, 'a')];
      expect(leases.map((l) => l.bytes)).toEqual([500, 500]);
    });

    it('takes a quarter of the budget as the share when none is set', async () => {
      const budget = new StreamBudget(AppConfig.fromEnv({ STREAM_MEMORY_BUDGET_BYTES: '1000' }), new MetricsService());
      await budget.acquire(200, 'a');
      const over = pending(budget, 100, 'a');
      const fits = pending(budget, 50, 'b');
      await tick();
      expect([!!over.lease, !!fits.lease]).toEqual([false, true]);
    });
  });

  describe('properties', () => {
    const BUDGET = 1_000;
    const owners = ['a', 'b', 'c', 'd'];
    const command = fc.oneof(
      fc.record({ kind: fc.constant('acquire' as const), owner: fc.constantFrom(...owners), bytes: fc.nat(1_200) }),
      fc.record({ kind: fc.constant('shrink' as const), at: fc.nat(), keep: fc.nat(1_000) }),
      fc.record({ kind: fc.constant('release' as const), at: fc.nat() }),
    );

    /** The bytes each owner holds, and how many leases with bytes each has. */
    function holdings(requests: Pending[]) {
      const held = new Map<string, { bytes: number; leases: number }>();
      for (const { owner, lease } of requests) {
        if (!lease || lease.bytes === 0) continue;
        const entry = held.get(owner) ?? { bytes: 0, leases: 0 };
        held.set(owner, { bytes: entry.bytes + lease.bytes, leases: entry.leases + 1 });
      }
      return held;
    }

    it('never holds more than the budget, nor an owner more than its share but for one lease, and grants everything in order once given back', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: BUDGET }),
          fc.array(command, { maxLength: 40 }),
          async (share, commands) => {
            const budget = budgetOf(BUDGET, share);
            const requests: Pending[] = [];
            const granted: Pending[] = [];
            for (const c of commands) {
              const live = requests.filter((r) => r.lease);
              if (c.kind === 'acquire') requests.push(pending(budget, c.bytes, c.owner, granted));
              else if (live.length > 0 && c.kind === 'shrink') live[c.at % live.length].lease!.shrinkTo(c.keep);
              else if (live.length > 0) live[c.at % live.length].lease!.release();
              await tick();
              const held = holdings(requests);
              expect(budget.heldBytes).toBe([...held.values()].reduce((sum, h) => sum + h.bytes, 0));
              expect(budget.heldBytes).toBeLessThanOrEqual(BUDGET);
              for (const h of held.values()) if (share > 0 && h.bytes > share) expect(h.leases).toBe(1);
            }
            for (let round = 0; round <= requests.length && granted.length < requests.length; round++) {
              for (const r of granted) r.lease!.release();
              await tick();
            }
            expect(granted.length).toBe(requests.length);
            for (const owner of owners) {
              expect(granted.filter((r) => r.owner === owner)).toEqual(requests.filter((r) => r.owner === owner));
            }
            for (const r of granted) r.lease!.release();
            expect(budget.heldBytes).toBe(0);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('serves every other owner while one owner that never gives back waits at its share', async () => {
      const share = 250;
      const step = fc.oneof(
        fc.record({ stalled: fc.constant(true), bytes: fc.integer({ min: 1, max: share }) }),
        fc.record({
          stalled: fc.constant(false),
          owner: fc.constantFrom('b', 'c', 'd'),
          bytes: fc.integer({ min: 1, max: BUDGET - share }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
          const budget = budgetOf(BUDGET, share);
          const stalled: Pending[] = [];
          const others: Pending[] = [];
          for (const s of steps) {
            if (s.stalled) stalled.push(pending(budget, s.bytes, 'a'));
            else others.push(pending(budget, s.bytes, s.owner));
            await tick();
            // Others give back what they were granted, as clients that read do; the stalled owner never does.
            for (const o of others) o.lease?.release();
            await tick();
          }
          expect(others.every((o) => o.lease)).toBe(true);
          expect(holdings(stalled).get('a')?.bytes ?? 0).toBeLessThanOrEqual(share);
          expect(stalled.some((s) => s.lease) || stalled.length === 0).toBe(true);
        }),
        { numRuns: 200 },
      );
    });
  });
});
