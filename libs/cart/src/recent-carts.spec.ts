import type { StoredCart } from './cart-model';
import { RecentCarts } from './recent-carts';

const cart = (id: string, quantity = '1'): StoredCart => ({
  id,
  status: 'open',
  expiresAtMs: 0,
  quantities: { '7': quantity },
  infos: { '7': '{"name":"Seven","unitPriceCents":700}' },
});

describe('RecentCarts', () => {
  it('gives each remembered cart once, as last remembered', () => {
    const recent = new RecentCarts(10);
    recent.remember(cart('a', '1'));
    recent.remember(cart('a', '2'));
    expect(recent.size).toBe(1);
    expect(recent.take('a')?.quantities).toEqual({ '7': '2' });
    expect(recent.take('a')).toBeUndefined();
    expect(recent.take('never')).toBeUndefined();
  });

  it('keeps at most its capacity, forgetting the least recently remembered first', () => {
    const recent = new RecentCarts(2);
    recent.remember(cart('a'));
    recent.remember(cart('b'));
    recent.remember(cart('a'));
    recent.remember(cart('c'));
    expect(recent.size).toBe(2);
    expect(recent.take('b')).toBeUndefined();
    expect(recent.take('a')).toBeDefined();
    expect(recent.take('c')).toBeDefined();
  });

  it('remembers nothing with capacity 0, and refuses a capacity that is not a whole number', () => {
    const recent = new RecentCarts(0);
    recent.remember(cart('a'));
    expect(recent.take('a')).toBeUndefined();
    expect(() => new RecentCarts(-1)).toThrow('capacity must be a whole number, got -1');
    expect(() => new RecentCarts(1.5)).toThrow('capacity must be a whole number, got 1.5');
  });
});
