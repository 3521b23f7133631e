import type { ProductDocument } from '@shop/contracts';
import type { ProductRepository, StockRepository } from '@shop/persistence';
import { toProductDocument } from '@shop/search';

/**
 * Every product of MySQL as search documents, in id order and in batches, for a full reindex
 * and for the reconciler. Stock comes from MySQL's `stock` table, which the stock workers keep
 * in step with the live ledger.
 */
export async function* productDocumentsFromMysql(
  products: ProductRepository,
  stock: StockRepository,
  batchSize = 1000,
): AsyncGenerator<ProductDocument[]> {
  let afterId = 0;
  for (;;) {
    const page = await products.listPage(afterId, batchSize);
    if (page.items.length === 0) return;
    const levels = await stock.findByIds(page.items.map((product) => product.id));
    const quantityById = new Map(levels.map((level) => [level.id, level.stock]));
    yield page.items.map((product) =>
      toProductDocument(product, quantityById.get(product.id) ?? 0),
    );
    if (page.nextAfterId === null) return;
    afterId = page.nextAfterId;
  }
}
