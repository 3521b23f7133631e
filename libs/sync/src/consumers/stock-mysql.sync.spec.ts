import type { StockChangedEvent } from '@shop/contracts';
import { SILENT_LOGGER } from '@shop/common';
import { FakeStockRows } from '../testing/fakes';
import { StockMysqlSync } from './stock-mysql.sync';

function change(id: number, version: number, stock: number): StockChangedEvent {
  return {
    id,
    stock,
    delta: 0,
    version,
    reason: 'set',
    occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, version)).toISOString(),
  };
}

describe('StockMysqlSync', () => {
  it('writes each product once, at its newest version, in one call', async () => {
    const log: string[] = [];
    const rows = new FakeStockRows([1, 2], log);
    const sync = new StockMysqlSync(rows);
    const result = await sync.handle([
      change(1, 1, 10),
      change(2, 1, 5),
      change(1, 3, 8),
      change(1, 2, 9),
    ]);
    expect(log).toEqual(['mysql.applyVersioned 1@3,2@1']);
    expect(result).toMatchObject({ events: 4, received: 2, applied: 2, stale: 0 });
    expect(rows.rows.get(1)).toMatchObject({ stock: 8, version: 3 });
  });

  it('ignores duplicates and late arrivals', async () => {
    const rows = new FakeStockRows([1]);
    rows.set(1, 8, 3);
    const result = await new StockMysqlSync(rows).handle([change(1, 2, 9), change(1, 3, 8)]);
    expect(result).toMatchObject({ applied: 0, stale: 1 });
    expect(rows.rows.get(1)).toMatchObject({ stock: 8, version: 3 });
  });

  it('reports events of deleted products instead of failing', async () => {
    const warnings: string[] = [];
    const counted: [string, number][] = [];
    const rows = new FakeStockRows([1]);
    const sync = new StockMysqlSync(
      rows,
      { ...SILENT_LOGGER, warn: (line) => warnings.push(line) },
      { stockRows: (outcome, count) => counted.push([outcome, count]) },
    );
    const result = await sync.handle([change(1, 1, 1), change(99, 4, 2)]);
    expect(result.unknownProductIds).toEqual([99]);
    expect(warnings.join()).toMatch(/99/);
    expect(counted).toEqual([
      ['applied', 1],
      ['stale', 0],
      ['unknown_product', 1],
    ]);
  });

  it('records a barrier only after the rows delivered with it are written', async () => {
    const log: string[] = [];
    const rows = new FakeStockRows([1], log);
    const barrier = { barrier: 'b-1', requestedAt: '2025-01-01T00:00:00.000Z' };
    const result = await new StockMysqlSync(rows).handle([change(1, 1, 4), barrier]);
    expect(log).toEqual(['mysql.applyVersioned 1@1', 'mysql.recordBarriers b-1']);
    expect(result).toMatchObject({ events: 1, barriers: 1, applied: 1 });
  });

  it('lets a MySQL failure through so the batch is retried, barrier unrecorded', async () => {
    const recorded: string[] = [];
    const sync = new StockMysqlSync({
      applyVersioned: () => Promise.reject(new Error('connect ECONNREFUSED')),
      recordBarriers: (tokens) => {
        recorded.push(...tokens);
        return Promise.resolve();
      },
    });
    await expect(
      sync.handle([change(1, 1, 1), { barrier: 'b-2', requestedAt: '2025-01-01T00:00:00Z' }]),
    ).rejects.toThrow(/ECONNREFUSED/);
    expect(recorded).toEqual([]);
  });
});
