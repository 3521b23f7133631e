import type { Product, ProductDocument } from '@shop/contracts';

/**
 * The one builder of the document written to Elasticsearch for a product: its catalog data plus
 * whether any unit is in stock. `stock` is the quantity on hand (in stock above zero), or the flag
 * itself when the caller already has it (a document being written again).
 *
 * The mapping is strict, so a caller handing over a wider object (a MySQL row with `version`,
 * say) must not fail the write: only the mapped fields are copied. Dates are normalised to ISO
 * 8601 because MySQL drivers hand out `2025-03-14 09:30:15` strings or `Date`s, and the `date`
 * mapping would reject the former.
 */
export function toProductDocument(product: Product, stock: number | boolean): ProductDocument {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    price: product.price,
    categories: [...product.categories],
    inStock: typeof stock === 'boolean' ? stock : stock > 0,
    createdAt: toIsoDate(product.createdAt, 'createdAt', product.id),
    updatedAt: toIsoDate(product.updatedAt, 'updatedAt', product.id),
  };
}

function toIsoDate(value: string | Date, field: string, id: number): string {
  const date = value instanceof Date ? value : new Date(mysqlToIso(value));
  if (Number.isNaN(date.getTime())) {
    throw new TypeError(`product ${id}: ${field} is not a date: ${String(value)}`);
  }
  return date.toISOString();
}

/** `2025-03-14 09:30:15[.123]` (MySQL DATETIME, stored in UTC) -> `2025-03-14T09:30:15[.123]Z`. */
function mysqlToIso(value: string): string {
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)
    ? `${value.replace(' ', 'T')}Z`
    : value;
}
