/**
 * Purge tags (Varnish `xkey`) the storefront puts on its pages and fragments. The sync-worker
 * purges by the same names. TODO(http-cache): re-export from @shop/http-cache once it lands.
 */
export const MENU_TAG = 'menu';
export const LISTING_TAG = 'listing';
export const FOOTER_TAG = 'footer';

export function productTag(id: number): string {
  return `product-${id}`;
}

export function stockTag(id: number): string {
  return `stock-${id}`;
}

export function categoryTag(slug: string): string {
  return `category-${slug}`;
}
