import { SILENT_LOGGER } from '@shop/common';
import type { ReconcileReport, ReconcileTally } from './reconcile-report';
import { ReconcileScheduler } from './reconcile-scheduler';
import { Reconciler } from './reconciler';

describe('Reconciler', () => {
  it('runs stock then search, and reports the counts of both', async () => {
    const order: string[] = [];
    const reports: ReconcileReport[] = [];
    const reconciler = new Reconciler(
      {
        stock: {
          reconcile: (tally: ReconcileTally) => {
            order.push('stock');
            tally.found('stock.redisNewer', 2);
            tally.fixed('stock.redisNewer', 2);
            return Promise.resolve({ checked: 10 });
          },
        },
        search: {
          reconcile: (tally: ReconcileTally) => {
            order.push('search');
            tally.found('search.missing');
            return Promise.resolve({ checked: 4 });
          },
        },
      },
      { onReport: (report) => reports.push(report) },
    );
    const report = await reconciler.run();
    expect(order).toEqual(['stock', 'search']);
    expect(report).toMatchObject({
      checked: { stock: 10, price: 0, search: 4 },
      ok: true,
      errors: [],
    });
    expect(report.kinds['stock.redisNewer']).toEqual({ found: 2, fixed: 2 });
    expect(report.kinds['search.missing']).toEqual({ found: 1, fixed: 0 });
    expect(reports).toEqual([report]);
    expect(reconciler.lastReport()).toBe(report);
  });

  it('still runs search when stock fails, and reports the failure', async () => {
    const reconciler = new Reconciler({
      stock: { reconcile: () => Promise.reject(new Error('Redis is down')) },
      search: { reconcile: () => Promise.resolve({ checked: 1 }) },
    });
    const report = await reconciler.run();
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual(['stock: Redis is down']);
    expect(report.checked.search).toBe(1);
  });

  it('shares a run in progress instead of starting a second one', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const reconciler = new Reconciler({
      stock: {
        reconcile: async () => {
          runs += 1;
          await new Promise<void>((resolve) => (release = resolve));
          return { checked: 0 };
        },
      },
    });
    const first = reconciler.run();
    const second = reconciler.run();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await first).toBe(await second);
    expect(runs).toBe(1);
  });
});

describe('ReconcileScheduler', () => {
  it('runs only while it holds the lease', async () => {
    let runs = 0;
    let held = false;
    const scheduler = new ReconcileScheduler(
      { run: () => Promise.resolve({} as ReconcileReport).finally(() => (runs += 1)) },
      {
        intervalMs: 60_000,
        lease: { acquire: () => Promise.resolve(held), release: () => Promise.resolve() },
      },
    );
    await scheduler.tick();
    expect(runs).toBe(0);
    held = true;
    await scheduler.tick();
    expect(runs).toBe(1);
    await scheduler.stop();
  });

  it('survives a failing run', async () => {
    const errors: string[] = [];
    const scheduler = new ReconcileScheduler(
      { run: () => Promise.reject(new Error('boom')) },
      {
        intervalMs: 1000,
        logger: { ...SILENT_LOGGER, error: (line) => errors.push(line) },
      },
    );
    await scheduler.tick();
    expect(errors.join()).toMatch(/boom/);
  });

  it('does not schedule anything when the interval is 0', async () => {
    jest.useFakeTimers();
    try {
      let runs = 0;
      const scheduler = new ReconcileScheduler(
        { run: () => Promise.resolve({} as ReconcileReport).finally(() => (runs += 1)) },
        { intervalMs: 0 },
      );
      scheduler.start();
      jest.advanceTimersByTime(10 * 60_000);
      expect(runs).toBe(0);
      await scheduler.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});
