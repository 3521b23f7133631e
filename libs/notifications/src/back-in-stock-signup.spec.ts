import type { StockLevel } from '@shop/contracts';
import type { BackInStockSubscription } from '@shop/persistence';
import {
  BackInStockProductNotFoundError,
  InvalidBackInStockRequestError,
  ProductInStockError,
} from './back-in-stock-errors';
import { BackInStockSignup } from './back-in-stock-signup';

const at = new Date('2026-01-02T03:04:05.000Z');

function level(id: number, stock: number): StockLevel {
  return { id, stock, version: 3, updatedAt: at.toISOString(), onHand: stock, held: 0 };
}

describe('BackInStockSignup', () => {
  const rows: BackInStockSubscription[] = [];
  const subscriptions = {
    subscribe: jest.fn(async (productId: number, email: string, when: Date) => {
      const found = rows.find(
        (row) => row.productId === productId && row.email.toLowerCase() === email.toLowerCase(),
      );
      if (found) return { subscription: found, created: false };
      const row: BackInStockSubscription = {
        id: rows.length + 1,
        productId,
        email,
        status: 'pending',
        round: 1,
        subscribedAt: when,
        sentAt: null,
      };
      rows.push(row);
      return { subscription: row, created: true };
    }),
  };
  const levels = new Map<number, StockLevel>([
    [1, level(1, 0)],
    [2, level(2, 3)],
  ]);
  const signup = new BackInStockSignup(
    { get: (id) => Promise.resolve(levels.get(id) ?? null) },
    subscriptions,
    () => at,
  );

  beforeEach(() => {
    rows.length = 0;
    subscriptions.subscribe.mockClear();
  });

  it('subscribes to a sold-out product once; the repeat answers the same subscription', async () => {
    const first = await signup.subscribe({ productId: 1, email: 'ada@example.com' });
    expect(first).toEqual({
      created: true,
      subscription: {
        id: 1,
        productId: 1,
        email: 'ada@example.com',
        status: 'pending',
        subscribedAt: at.toISOString(),
        sentAt: null,
      },
    });
    const again = await signup.subscribe({ productId: 1, email: 'ADA@example.com' });
    expect(again).toEqual({ ...first, created: false });
    expect(rows).toHaveLength(1);
  });

  it('refuses, before writing, bad bodies (400), unknown products (404), products in stock (409)', async () => {
    await expect(signup.subscribe({ productId: 1, email: 'nope' })).rejects.toBeInstanceOf(
      InvalidBackInStockRequestError,
    );
    await expect(signup.subscribe({ productId: 9, email: 'a@b.co' })).rejects.toBeInstanceOf(
      BackInStockProductNotFoundError,
    );
    const inStock = signup.subscribe({ productId: 2, email: 'a@b.co' });
    await expect(inStock).rejects.toBeInstanceOf(ProductInStockError);
    await expect(inStock).rejects.toThrow('product 2 is in stock (3 left)');
    expect(subscriptions.subscribe).not.toHaveBeenCalled();
  });
});
