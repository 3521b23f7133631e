import type { Product, ProductDocument, ProductSale } from '@shop/contracts';

/** Whether `sale` runs at `at` (epoch ms): started (or no start) and not ended. */
export function saleRunsAt(sale: ProductSale | null | undefined, at: number): boolean {
  if (!sale) return false;
  const starts = sale.startsAt === null ? null : Date.parse(sale.startsAt);
  const ends = sale.endsAt === null ? null : Date.parse(sale.endsAt);
  return (starts === null || starts <= at) && (ends === null || at < ends);
}

/** A document or a product: documents being written again keep their own sale fields. */
type DocumentSource = Product | ProductDocument;

function saleOf(source: DocumentSource): ProductSale | null {
  if ('inStock' in source) {
    return source.salePrice === null || source.salePrice === undefined
      ? null
      : {
          price: source.salePrice,
          startsAt: source.saleStartsAt ?? null,
          endsAt: source.saleEndsAt ?? null,
        };
  }
  return source.sale ?? null;
}

/**
 * The one builder of the document written to Elasticsearch for a product: its catalog data plus
 * whether any unit is in stock, and its price at `at`: `price` is the effective price (the sale
 * price while the sale runs), `regularPrice` the product's own. `stock` is the quantity on hand (in stock above zero), or the flag
 * itself when the caller already has it (a document being written again).
 *
 * The mapping is strict, so a caller handing over a wider object (a MySQL row with `version`,
 * say) must not fail the write: only the mapped fields are copied. Dates are normalised to ISO
 * 8601 because MySQL drivers hand out `2025-03-14 09:30:15` strings or `Date`s, and the `date`
 * mapping would reject the former.
 */
export function toProductDocument(
  product: DocumentSource,
  stock: number | boolean,
  at: number = Date.now(),
): ProductDocument {
  const sale = saleOf(product);
  // A document written again keeps its regular price only while it has a sale (its `price` may
  // be the sale price then); without one, its `price` is the price.
  const regularPrice =
    ('inStock' in product && sale ? product.regularPrice : undefined) ?? product.price;
  // A sale that ended is not shown; one that has not started yet is (the page may announce it).
  const shownSale = sale && (sale.endsAt === null || at < Date.parse(sale.endsAt)) ? sale : null;
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    price: shownSale && saleRunsAt(shownSale, at) ? shownSale.price : regularPrice,
    regularPrice,
    salePrice: shownSale?.price ?? null,
    saleStartsAt: shownSale?.startsAt ?? null,
    saleEndsAt: shownSale?.endsAt ?? null,
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
