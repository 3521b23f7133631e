import type { CartProductCatalog } from './carts';

type Found = Awaited<ReturnType<CartProductCatalog['find']>>;

/**
 * Remembers each product's name and price for `ttlMs`, and shares one lookup among concurrent
 * callers: on sale day hundreds of shoppers add the same product within a second, and that must
 * be one MySQL query, not hundreds on the stock-api's two connections. A price changed in MySQL
 * reaches new cart lines within `ttlMs`. Misses (unknown products) are not remembered: the
 * product may be created next second, and the hold step checks existence atomically anyway.
 */
export class CachedCartProductCatalog implements CartProductCatalog {
  private readonly entries = new Map<number, { value: Found; until: number }>();
  private readonly inFlight = new Map<number, Promise<Found>>();

  constructor(
    private readonly source: CartProductCatalog,
    private readonly ttlMs = 2000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  find(productId: number): Promise<Found> {
    const cached = this.entries.get(productId);
    if (cached && cached.until > this.now()) return Promise.resolve(cached.value);
    const pending = this.inFlight.get(productId);
    if (pending) return pending;
    const lookup = this.source
      .find(productId)
      .then((value) => {
        if (value !== null) {
          if (this.entries.size >= this.maxEntries) this.entries.clear();
          this.entries.set(productId, { value, until: this.now() + this.ttlMs });
        }
        return value;
      })
      .finally(() => this.inFlight.delete(productId));
    this.inFlight.set(productId, lookup);
    return lookup;
  }
}
