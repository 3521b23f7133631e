import { xkeyHeader } from './cache-tags';

/**
 * What a response tells the caches (the contract of varnish/default.vcl):
 *
 *   Cache-Control      browsers (and any shared cache that ignores Surrogate-Control);
 *   Surrogate-Control  Varnish alone: `max-age=N` is its lifetime and wins over Cache-Control,
 *                      `no-store` forbids storing, `content="ESI/1.0"` switches ESI on;
 *   xkey               purge tags. Varnish removes the last two before the client sees them.
 */
export interface CacheOptions {
  /**
   * Seconds a browser may reuse the response without asking. Default 0: browsers revalidate
   * every time and Varnish answers, so a purge reaches them at once.
   */
  readonly maxAge?: number;
  /** Seconds Varnish keeps the response. 0 or absent: Varnish does not store it. */
  readonly sharedMaxAge?: number;
  /** Per-user response: stored nowhere (`private, no-store`), whatever the lifetimes say. */
  readonly private?: boolean;
  /** Not personal but must not be stored anywhere (errors, health): `no-store`. */
  readonly noStore?: boolean;
  /**
   * The body holds `<esi:include>` tags for Varnish to resolve. The assembled page may embed
   * per-user fragments (the header), so browsers get it as `private`.
   */
  readonly esi?: boolean;
  /** Purge tags; see cache-tags.ts. Ignored when Varnish does not store the response. */
  readonly tags?: readonly string[];
}

/** A type, not an interface, so that it fits `Record<string, string>` parameters (reply.headers). */
export type CacheHeaders = {
  'Cache-Control': string;
  'Surrogate-Control': string;
  /** Present only when Varnish stores the response and tags were given. */
  xkey?: string;
};

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/**
 * Lifetimes of the shop's responses, to spread into `cacheHeaders`:
 * `cacheHeaders({ ...CachePolicy.product, esi: true, tags: [productTag(id)] })`.
 * Lifetimes only bound how long a lost purge could show stale data: every change purges.
 */
export const CachePolicy = {
  /** Product pages and `GET /products/:id`: tag `product-<id>`. */
  product: { sharedMaxAge: HOUR },
  /** The menu fragment and `GET /categories`: tag `menu`. */
  menu: { sharedMaxAge: DAY },
  /** Footer and other near-static fragments: tag `footer`. */
  static: { sharedMaxAge: DAY },
  /** Home, category, search pages and `GET /products?...`: tags `listing`, `category-<slug>`. */
  listing: { sharedMaxAge: 5 * MINUTE },
  /** Stock badge fragment and `GET /products/:id/stock`: tag `stock-<id>`. */
  stock: { sharedMaxAge: MINUTE },
  /** An unknown product or category, tagged so that creating it purges the 404. */
  notFound: { sharedMaxAge: MINUTE },
  /**
   * The header fragment of a visitor without a cart or a name (nearly all of a sale-day crowd):
   * one object shared by all of them, tag `header-anonymous`. Varnish sends only such visitors'
   * requests to it, without their cookies (varnish/default.vcl).
   */
  anonymousHeader: { sharedMaxAge: DAY },
  /**
   * Scripts under a versioned URL (`/assets/<content hash>/...`): a new build is a new URL, so
   * browsers and Varnish may keep each one for a year.
   */
  asset: { maxAge: YEAR, sharedMaxAge: YEAR },
  /** Per-user content such as a shopper's own header fragment: never stored. */
  private: { private: true },
  /** Errors and anything live: never stored. */
  uncacheable: { noStore: true },
} as const satisfies Record<string, CacheOptions>;

export type CachePolicyName = keyof typeof CachePolicy;

export function cacheHeaders(options: CacheOptions): CacheHeaders {
  const maxAge = seconds(options.maxAge ?? 0, 'maxAge');
  const sharedMaxAge = seconds(options.sharedMaxAge ?? 0, 'sharedMaxAge');
  const stored = !options.private && !options.noStore && sharedMaxAge > 0;

  const surrogate: string[] = [];
  if (options.esi) surrogate.push('content="ESI/1.0"');
  surrogate.push(stored ? `max-age=${sharedMaxAge}` : 'no-store');

  const headers: CacheHeaders = {
    'Cache-Control': browserCacheControl(options, maxAge),
    'Surrogate-Control': surrogate.join(', '),
  };
  if (stored && options.tags && options.tags.length > 0) {
    headers.xkey = xkeyHeader(options.tags);
  }
  return headers;
}

function browserCacheControl(options: CacheOptions, maxAge: number): string {
  if (options.private) return 'private, no-store';
  if (options.noStore) return 'no-store';
  const scope = options.esi ? 'private' : 'public';
  if (maxAge > 0) return `${scope}, max-age=${maxAge}`;
  return options.esi ? 'private, no-cache' : 'no-cache';
}

function seconds(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a whole number of seconds >= 0, got ${value}`);
  }
  return value;
}
