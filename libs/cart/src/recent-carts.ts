import type { StoredCart } from './cart-model';

/**
 * The carts this process last wrote or read, as they were then: checkout's first guess at a
 * cart, so a checkout right after the shopper's last change needs no read of its own (a round
 * trip that, with every write fsynced, waits for the disk like a write). Only a guess: the
 * checkout step compares the cart's lines and their info in Redis with the guess's digest and
 * answers CHANGED when another process changed the cart since; then it is read. At most
 * `capacity` carts, the least recently remembered go first.
 */
export class RecentCarts {
  private readonly carts = new Map<string, StoredCart>();

  constructor(private readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new Error(`capacity must be a whole number, got ${capacity}`);
    }
  }

  get size(): number {
    return this.carts.size;
  }

  /** Keeps `cart` (not to be changed afterwards) as the newest. */
  remember(cart: StoredCart): void {
    this.carts.delete(cart.id);
    if (this.capacity === 0) return;
    this.carts.set(cart.id, cart);
    if (this.carts.size > this.capacity) {
      const oldest = this.carts.keys().next();
      if (!oldest.done) this.carts.delete(oldest.value);
    }
  }

  /** The cart as last remembered, which it forgets: one guess per checkout. */
  take(id: string): StoredCart | undefined {
    const cart = this.carts.get(id);
    this.carts.delete(id);
    return cart;
  }
}
