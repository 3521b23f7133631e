import { LiveProtocolError, MAX_LIVE_PRODUCTS } from './live-protocol';

/**
 * Which client watches which products, both ways, so a change finds its clients in one lookup and
 * a closing client leaves nothing behind. `C` is whatever identifies a client (a socket).
 */
export class LiveSubscriptions<C> {
  private readonly clientsByProduct = new Map<number, Set<C>>();
  private readonly productsByClient = new Map<C, Set<number>>();

  constructor(private readonly maxPerClient = MAX_LIVE_PRODUCTS) {}

  /**
   * Adds `ids` to what `client` watches; returns all of `ids` (already watched ones too: a
   * subscribe always answers with the current figures). Nothing is added when the client would
   * go over `maxPerClient`.
   * @throws LiveProtocolError
   */
  subscribe(client: C, ids: readonly number[]): number[] {
    const own = this.productsByClient.get(client) ?? new Set<number>();
    const added = ids.filter((id) => !own.has(id)).length;
    if (own.size + added > this.maxPerClient) {
      throw new LiveProtocolError(
        `at most ${this.maxPerClient} products per connection (watching ${own.size}, asked for ${added} more)`,
      );
    }
    this.productsByClient.set(client, own);
    for (const id of ids) {
      own.add(id);
      let clients = this.clientsByProduct.get(id);
      if (!clients) {
        clients = new Set();
        this.clientsByProduct.set(id, clients);
      }
      clients.add(client);
    }
    return [...ids];
  }

  /** Returns the ids nobody watches any more. */
  unsubscribe(client: C, ids: readonly number[]): number[] {
    const own = this.productsByClient.get(client);
    if (!own) return [];
    const abandoned: number[] = [];
    for (const id of ids) {
      if (!own.delete(id)) continue;
      const clients = this.clientsByProduct.get(id);
      clients?.delete(client);
      if (clients && clients.size === 0) {
        this.clientsByProduct.delete(id);
        abandoned.push(id);
      }
    }
    if (own.size === 0) this.productsByClient.delete(client);
    return abandoned;
  }

  /** Forgets the client; returns the ids nobody watches any more. */
  remove(client: C): number[] {
    const own = this.productsByClient.get(client);
    return own ? this.unsubscribe(client, [...own]) : [];
  }

  clientsOf(productId: number): ReadonlySet<C> {
    return this.clientsByProduct.get(productId) ?? EMPTY;
  }

  productsOf(client: C): number[] {
    return [...(this.productsByClient.get(client) ?? [])];
  }

  /** Every product someone watches. */
  watchedProducts(): number[] {
    return [...this.clientsByProduct.keys()];
  }

  get clientCount(): number {
    return this.productsByClient.size;
  }

  get subscriptionCount(): number {
    let count = 0;
    for (const own of this.productsByClient.values()) count += own.size;
    return count;
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();
