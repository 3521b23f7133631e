/** The ESI fragments a page is assembled from. */
export type FragmentRef =
  { kind: 'menu' } | { kind: 'header' } | { kind: 'footer' } | { kind: 'stock'; productId: number };

export const MENU_FRAGMENT: FragmentRef = { kind: 'menu' };
export const HEADER_FRAGMENT: FragmentRef = { kind: 'header' };
export const FOOTER_FRAGMENT: FragmentRef = { kind: 'footer' };

export function stockFragment(productId: number): FragmentRef {
  return { kind: 'stock', productId };
}

/** The URL under which the storefront serves a fragment (and Varnish fetches it). */
export function fragmentPath(ref: FragmentRef): string {
  switch (ref.kind) {
    case 'stock':
      return `/fragments/stock/${ref.productId}`;
    default:
      return `/fragments/${ref.kind}`;
  }
}
