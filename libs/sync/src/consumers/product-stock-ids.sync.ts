import { distinct, type CatalogChange } from '../events';
import type { CatalogPriceAdopter, ProductIdRegistrar, ProductReader } from '../ports';

export interface ProductStockIdsResult {
  events: number;
  registered: number;
  unregistered: number;
}

/**
 * Tells the stock ledger which products exist (and live prices which prices the admin product
 * API changed), so the stock API answers for a product right
 * after it is created and 404 after it is deleted (unregistering also removes the product's level
 * hash: the ledger keeps no figures of a product MySQL no longer has). Like the search consumer it asks MySQL what is
 * true now instead of trusting the event, so a late `upserted` can never bring a deleted product
 * back.
 */
export class ProductStockIdsSync {
  constructor(
    private readonly products: ProductReader,
    private readonly registry: ProductIdRegistrar,
    private readonly prices?: CatalogPriceAdopter,
  ) {}

  async handle(changes: readonly CatalogChange[]): Promise<ProductStockIdsResult> {
    const ids = distinct(changes.map((change) => change.id));
    if (ids.length === 0) return { events: 0, registered: 0, unregistered: 0 };
    const existing = new Set((await this.products.findByIds(ids)).map((product) => product.id));
    const present = ids.filter((id) => existing.has(id));
    const gone = ids.filter((id) => !existing.has(id));
    if (present.length > 0) await this.registry.register(present);
    if (gone.length > 0) await this.registry.unregister(gone);
    if (this.prices) {
      // A price edited through the admin product API goes on into the live price (Redis), which
      // takes it only when its own last change is older: see ADOPT_CATALOG_PRICE_LUA.
      for (const change of changes) {
        if (change.kind !== 'upserted' || !change.priceChange || !existing.has(change.id)) continue;
        await this.prices.adoptCatalogPrice(
          change.id,
          change.priceChange.price,
          new Date(change.priceChange.at),
        );
      }
    }
    return { events: changes.length, registered: present.length, unregistered: gone.length };
  }
}
