import {
  categoryChangePurge,
  mergePurgePlans,
  productChangePurge,
  stockChangePurge,
} from './purge-plan';

describe('purge plans', () => {
  it('purges the stock tag alone when stock stays on the same side of zero', () => {
    expect(stockChangePurge({ id: 5, stock: 3, delta: -1 })).toEqual({
      hard: ['stock-5'],
      soft: [],
    });
  });

  it('also purges the product and, softly, the listings when stock reaches zero', () => {
    expect(stockChangePurge({ id: 5, stock: 0, delta: -2 })).toEqual({
      hard: ['stock-5', 'product-5'],
      soft: ['listing'],
    });
  });

  it('does the same when a product comes back in stock', () => {
    expect(stockChangePurge({ id: 5, stock: 4, delta: 4 }).soft).toEqual(['listing']);
  });

  it('purges a changed product hard and the listings softly', () => {
    expect(productChangePurge({ id: 9 })).toEqual({ hard: ['product-9'], soft: ['listing'] });
  });

  it('purges the menu and the category pages on a category change', () => {
    expect(categoryChangePurge(['shoes'])).toEqual({
      hard: ['menu', 'category-shoes'],
      soft: ['listing'],
    });
  });

  it('merges plans without duplicates, hard winning over soft', () => {
    expect(
      mergePurgePlans([
        stockChangePurge({ id: 1, stock: 0, delta: -1 }),
        stockChangePurge({ id: 1, stock: 0, delta: 0 }),
        productChangePurge({ id: 2 }),
        { hard: ['listing'], soft: ['menu'] },
      ]),
    ).toEqual({ hard: ['stock-1', 'product-1', 'product-2', 'listing'], soft: ['menu'] });
  });
});
