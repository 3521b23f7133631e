import { latestPerProduct, toDate, toStockLevel } from './stock-rows';

describe('latestPerProduct', () => {
  it('keeps the highest version of each product, sorted by product id', () => {
    const at = '2025-01-01T00:00:00.000Z';
    expect(
      latestPerProduct([
        { productId: 7, quantity: 1, version: 3, updatedAt: at },
        { productId: 2, quantity: 5, version: 1, updatedAt: at },
        { productId: 7, quantity: 9, version: 5, updatedAt: at },
        { productId: 7, quantity: 4, version: 4, updatedAt: at },
      ]),
    ).toEqual([
      { productId: 2, quantity: 5, version: 1, updatedAt: at },
      { productId: 7, quantity: 9, version: 5, updatedAt: at },
    ]);
  });

  it('keeps the first of two rows with the same version', () => {
    const rows = latestPerProduct([
      { productId: 1, quantity: 1, version: 2, updatedAt: 'a' },
      { productId: 1, quantity: 2, version: 2, updatedAt: 'b' },
    ]);
    expect(rows).toEqual([{ productId: 1, quantity: 1, version: 2, updatedAt: 'a' }]);
  });
});

describe('stock row mapping', () => {
  it('maps a row to the contract: stock is what can be sold, on hand includes the held units', () => {
    const updatedAt = new Date('2025-03-04T05:06:07.089Z');
    expect(
      toStockLevel({
        product_id: 3,
        quantity: 8,
        held: 2,
        on_hand: 10,
        version: 12,
        updated_at: updatedAt,
      }),
    ).toEqual({
      id: 3,
      stock: 8,
      onHand: 10,
      held: 2,
      version: 12,
      updatedAt: '2025-03-04T05:06:07.089Z',
    });
  });

  it('rejects an unparseable date', () => {
    expect(() => toDate('yesterday')).toThrow(RangeError);
    expect(toDate('2025-01-01T00:00:00Z').toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });
});
