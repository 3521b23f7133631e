import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PurgePlan } from './purge-plan';
import { PURGE_QUICK_ECHO_MS, PURGE_SETTLE_MS, SettlingPurger } from './settling-purger';
import type { PurgeResult } from './varnish-purger';

const OK: PurgeResult = { purged: 1, hosts: [] };

function fakeVarnish(fail: (plan: PurgePlan) => boolean = () => false) {
  const plans: PurgePlan[] = [];
  return {
    plans,
    purge: jest.fn(async (plan: PurgePlan) => {
      plans.push(plan);
      if (fail(plan)) throw new Error('Varnish PURGE failed on http://varnish: 503');
      return OK;
    }),
  };
}

describe('SettlingPurger', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('purges at once, then echoes every tag softly once the settle time has passed', async () => {
    const varnish = fakeVarnish();
    const purger = new SettlingPurger(varnish, { settleMs: 1000, quickEchoMs: null });

    await expect(purger.purge({ hard: ['product-1'], soft: ['listing'] })).resolves.toBe(OK);
    expect(varnish.plans).toEqual([{ hard: ['product-1'], soft: ['listing'] }]);

    await jest.advanceTimersByTimeAsync(999);
    expect(varnish.plans).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(varnish.plans[1]).toEqual({ hard: [], soft: ['product-1', 'listing'] });
    expect(purger.pending).toBe(0);
  });

  it('echoes a tag purged again the settle time after its LAST purge, and coalesces', async () => {
    const varnish = fakeVarnish();
    const purger = new SettlingPurger(varnish, { settleMs: 1000, quickEchoMs: null });

    await purger.purge({ hard: ['product-1'], soft: ['listing'] });
    await jest.advanceTimersByTimeAsync(600);
    await purger.purge({ hard: ['product-2'], soft: ['listing'] });

    // At 1000 ms only product-1 is due: `listing` was purged again at 600 ms.
    await jest.advanceTimersByTimeAsync(400);
    expect(varnish.plans.slice(2)).toEqual([{ hard: [], soft: ['product-1'] }]);

    // Not before 1600 ms, and then both remaining tags in one request.
    await jest.advanceTimersByTimeAsync(599);
    expect(varnish.plans).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(1);
    expect(varnish.plans[3]).toEqual({ hard: [], soft: ['product-2', 'listing'] });
  });

  it('sends at most one echo per quarter of the settle time however the purges are spread', async () => {
    const varnish = fakeVarnish();
    const purger = new SettlingPurger(varnish, { settleMs: 1000, quickEchoMs: null });

    for (let i = 0; i < 100; i++) {
      await purger.purge({ hard: [`product-${i}`], soft: [] });
      await jest.advanceTimersByTimeAsync(10);
    }
    await jest.advanceTimersByTimeAsync(2000);

    const echoes = varnish.plans.slice(100);
    expect(echoes.flatMap((plan) => plan.soft)).toHaveLength(100);
    // 100 purges over 1 s, echoed over about 1 s: no more than 5 requests (1 + 1000 / 250).
    expect(echoes.length).toBeLessThanOrEqual(5);
  });

  it('never echoes a tag earlier than the settle time after its purge', async () => {
    const varnish = fakeVarnish();
    const purger = new SettlingPurger(varnish, { settleMs: 1000, quickEchoMs: null });
    const purgedAt = new Map<string, number>();
    const echoedAt = new Map<string, number>();
    varnish.purge.mockImplementation(async (plan: PurgePlan) => {
      const now = performance.now();
      plan.hard.forEach((tag) => purgedAt.set(tag, now));
      if (plan.hard.length === 0) plan.soft.forEach((tag) => echoedAt.set(tag, now));
      return OK;
    });

    for (let i = 0; i < 40; i++) {
      await purger.purge({ hard: [`product-${i % 7}`], soft: [] });
      await jest.advanceTimersByTimeAsync(37);
    }
    await jest.advanceTimersByTimeAsync(3000);

    expect(echoedAt.size).toBe(7);
    for (const [tag, at] of echoedAt) {
      expect(at - purgedAt.get(tag)!).toBeGreaterThanOrEqual(1000);
      expect(at - purgedAt.get(tag)!).toBeLessThanOrEqual(1250);
    }
  });

  it('a failed purge rejects as the inner purger does and schedules no echo', async () => {
    const varnish = fakeVarnish(() => true);
    const purger = new SettlingPurger(varnish, { settleMs: 1000, quickEchoMs: null });

    await expect(purger.purge({ hard: ['product-1'], soft: [] })).rejects.toThrow('503');
    expect(purger.pending).toBe(0);
    await jest.advanceTimersByTimeAsync(5000);
    expect(varnish.purge).toHaveBeenCalledTimes(1);
  });

  it('logs a failed echo and keeps echoing later purges', async () => {
    const varnish = fakeVarnish((plan) => plan.hard.length === 0 && plan.soft.includes('bad'));
    const warn = jest.fn();
    const purger = new SettlingPurger(varnish, {
      settleMs: 1000,
      quickEchoMs: null,
      logger: { warn },
    });

    await purger.purge({ hard: ['bad'], soft: [] });
    await jest.advanceTimersByTimeAsync(1000);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Echo purge of 1 tag(s) failed'));

    await purger.purge({ hard: ['good'], soft: [] });
    await jest.advanceTimersByTimeAsync(1000);
    expect(varnish.plans.at(-1)).toEqual({ hard: [], soft: ['good'] });
  });

  it('close() waits for the pending echoes to be due and sends them', async () => {
    const varnish = fakeVarnish();
    const purger = new SettlingPurger(varnish, { settleMs: 1000, quickEchoMs: null });
    await purger.purge({ hard: ['product-1'], soft: [] });
    await jest.advanceTimersByTimeAsync(300);

    let closed = false;
    const closing = purger.close().then(() => (closed = true));
    await jest.advanceTimersByTimeAsync(699);
    expect(closed).toBe(false);
    expect(varnish.plans).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await closing;
    expect(varnish.plans[1]).toEqual({ hard: [], soft: ['product-1'] });
    expect(purger.pending).toBe(0);
  });
});

describe('SettlingPurger with a quick echo', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('echoes every tag twice: after the quick delay, then after the settle time', async () => {
    const varnish = fakeVarnish();
    const purger = new SettlingPurger(varnish, { settleMs: 1000, quickEchoMs: 250 });

    await purger.purge({ hard: ['product-1'], soft: ['listing'] });
    await jest.advanceTimersByTimeAsync(249);
    expect(varnish.plans).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(varnish.plans[1]).toEqual({ hard: [], soft: ['product-1', 'listing'] });
    expect(purger.pending).toBe(2);

    await jest.advanceTimersByTimeAsync(749);
    expect(varnish.plans).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(varnish.plans[2]).toEqual({ hard: [], soft: ['product-1', 'listing'] });
    expect(purger.pending).toBe(0);
  });

  it('coalesces each echo on its own: a tag purged again moves both', async () => {
    const varnish = fakeVarnish();
    const purger = new SettlingPurger(varnish, { settleMs: 1000, quickEchoMs: 250 });

    await purger.purge({ hard: ['product-1'], soft: [] });
    await jest.advanceTimersByTimeAsync(200);
    await purger.purge({ hard: ['product-1'], soft: [] });
    await jest.advanceTimersByTimeAsync(3000);

    expect(varnish.plans.slice(2)).toEqual([
      { hard: [], soft: ['product-1'] },
      { hard: [], soft: ['product-1'] },
    ]);
  });

  it('close() sends both pending echoes', async () => {
    const varnish = fakeVarnish();
    const purger = new SettlingPurger(varnish, { settleMs: 1000, quickEchoMs: 250 });
    await purger.purge({ hard: ['product-1'], soft: [] });

    const closing = purger.close();
    await jest.advanceTimersByTimeAsync(1000);
    await closing;
    expect(varnish.plans.slice(1)).toEqual([
      { hard: [], soft: ['product-1'] },
      { hard: [], soft: ['product-1'] },
    ]);
  });

  it('defaults to a quick echo well inside the second a scheduled sale has to reach shoppers', () => {
    // Scheduler poll (100 ms) + relay, sync and forced refresh (about 200 ms) + 1.25 × echo.
    expect(PURGE_QUICK_ECHO_MS).toBeLessThanOrEqual(PURGE_SETTLE_MS / 4);
  });
});

describe('PURGE_SETTLE_MS and the VCL', () => {
  it('equals the fetch time past which varnish/default.vcl keeps an object only briefly', () => {
    const vcl = readFileSync(join(__dirname, '..', '..', '..', 'varnish', 'default.vcl'), 'utf8');
    const threshold = /if \(now - bereq\.time > (\d+(?:\.\d+)?)s\)/.exec(vcl);
    expect(threshold).not.toBeNull();
    expect(Number(threshold![1]) * 1000).toBe(PURGE_SETTLE_MS);
  });
});
