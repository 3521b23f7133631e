/**
 * The storefront's caching contract with Varnish (see varnish/default.vcl):
 *   Cache-Control       what browsers may do;
 *   Surrogate-Control   what Varnish does: `max-age=N` or `no-store`, plus `content="ESI/1.0"` on
 *                       documents that carry `<esi:include>` tags;
 *   xkey                space-separated purge tags.
 * TODO(http-cache): swap for `cacheHeaders`/`CachePolicy` from @shop/http-cache once it lands.
 */
export interface CacheRule {
  /** `Cache-Control` for browsers. */
  browser: string;
  /** Seconds Varnish keeps the response; null when it must not store it at all. */
  surrogateMaxAge: number | null;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

export const StorefrontCache = {
  /**
   * Page shells: the page Varnish assembles embeds the per-user header fragment, so browsers and
   * any shared cache in front of Varnish must not reuse it (`private, no-cache`); Varnish itself
   * caches the shell, which holds nothing personal, by Surrogate-Control.
   */
  productPage: { browser: 'private, no-cache', surrogateMaxAge: HOUR },
  /**
   * Listings (home, category, search) show many products but carry only listing-level tags
   * (`listing`, `category-<slug>`): one tag per product would outgrow Varnish's header limits on
   * big categories. A product edit therefore reaches a listing by a purge of `listing` or by this
   * short lifetime; stock on a listing is always fresh because each tile's badge is its own
   * `stock-<id>` fragment.
   */
  listingPage: { browser: 'private, no-cache', surrogateMaxAge: 5 * 60 },
  /** An unknown product or category: cached briefly, tagged so that creating it purges the 404. */
  notFoundPage: { browser: 'private, no-cache', surrogateMaxAge: 60 },
  /** The category tree changes rarely; a `menu` purge refreshes it at once. */
  menu: { browser: 'public, max-age=3600', surrogateMaxAge: DAY },
  footer: { browser: 'public, max-age=3600', surrogateMaxAge: DAY },
  /**
   * Stock changes by the second on a sale day; every change purges `stock-<id>`, so this lifetime
   * only bounds how long a lost purge could show a wrong figure.
   */
  stockBadge: { browser: 'no-cache', surrogateMaxAge: 60 },
  /** Per-user content and anything that failed: never stored anywhere. */
  private: { browser: 'private, no-store', surrogateMaxAge: null },
  /** Errors that must not be cached but are not personal (400, 5xx). */
  uncacheable: { browser: 'no-store', surrogateMaxAge: null },
} satisfies Record<string, CacheRule>;

export interface CacheHeaderOptions {
  rule: CacheRule;
  /** Purge tags; ignored when the rule forbids storing. */
  tags?: readonly string[];
  /** The body holds `<esi:include>` tags for Varnish to resolve. */
  esi?: boolean;
}

export function cacheHeaders({
  rule,
  tags = [],
  esi = false,
}: CacheHeaderOptions): Record<string, string> {
  const surrogate: string[] = [];
  if (esi) surrogate.push('content="ESI/1.0"');
  surrogate.push(rule.surrogateMaxAge === null ? 'no-store' : `max-age=${rule.surrogateMaxAge}`);
  const headers: Record<string, string> = {
    'Cache-Control': rule.browser,
    'Surrogate-Control': surrogate.join(', '),
  };
  if (rule.surrogateMaxAge !== null && tags.length > 0) {
    headers.xkey = [...new Set(tags)].join(' ');
  }
  return headers;
}
