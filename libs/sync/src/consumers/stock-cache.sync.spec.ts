import type { StockChangedEvent } from '@shop/contracts';
import { FakePurger } from '../testing/fakes';
import { StockCacheSync } from './stock-cache.sync';

const at = '2025-01-01T00:00:00.000Z';
const change = (id: number, version: number): StockChangedEvent => ({
  id,
  stock: 1,
  delta: -1,
  version,
  reason: 'decrement',
  occurredAt: at,
});

describe('StockCacheSync', () => {
  it('purges each product stock tag once per batch, hard', async () => {
    const purger = new FakePurger();
    const result = await new StockCacheSync(purger).handle([
      change(1, 1),
      change(2, 1),
      change(1, 2),
    ]);
    expect(result).toEqual({ events: 3, tags: 2 });
    expect(purger.plans).toEqual([{ hard: ['stock-1', 'stock-2'], soft: [] }]);
  });

  it('fails the batch when a Varnish stays down, so it goes round the retry path', async () => {
    const purger = new FakePurger();
    purger.failures = 1;
    await expect(new StockCacheSync(purger).handle([change(1, 1)])).rejects.toThrow(/PURGE failed/);
  });
});
