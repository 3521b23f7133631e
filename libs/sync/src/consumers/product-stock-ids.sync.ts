import { distinct, type CatalogChange } from '../events';
import type { ProductIdRegistrar, ProductReader } from '../ports';

export interface ProductStockIdsResult {
  events: number;
  registered: number;
  unregistered: number;
}

/**
 * Tells the stock ledger which products exist, so the stock API answers for a product right
 * after it is created and 404 after it is deleted (unregistering also removes the product's level
 * hash: the ledger keeps no figures of a product MySQL no longer has). Like the search consumer it asks MySQL what is
 * true now instead of trusting the event, so a late `upserted` can never bring a deleted product
 * back.
 */
export class ProductStockIdsSync {
  constructor(
    private readonly products: ProductReader,
    private readonly registry: ProductIdRegistrar,
  ) {}

  async handle(changes: readonly CatalogChange[]): Promise<ProductStockIdsResult> {
    const ids = distinct(changes.map((change) => change.id));
    if (ids.length === 0) return { events: 0, registered: 0, unregistered: 0 };
    const existing = new Set((await this.products.findByIds(ids)).map((product) => product.id));
    const present = ids.filter((id) => existing.has(id));
    const gone = ids.filter((id) => !existing.has(id));
    if (present.length > 0) await this.registry.register(present);
    if (gone.length > 0) await this.registry.unregister(gone);
    return { events: changes.length, registered: present.length, unregistered: gone.length };
  }
}
