/**
 * Purge tags (Varnish `xkey`). The apps put them on responses, the sync-worker purges by the same
 * names, so both build them here.
 *
 * Tags stay few per response: a listing carries listing-level tags (`listing`,
 * `category-<slug>`), never one per product it shows. Magento's one-tag-per-product header
 * outgrows Varnish's header limits on big category pages; here each product tile's freshness
 * comes from its own `stock-<id>` fragment or from a soft purge of `listing`.
 */
export const MENU_TAG = 'menu';
export const LISTING_TAG = 'listing';
export const FOOTER_TAG = 'footer';
/** The one header fragment every visitor without a cart or a name shares. */
export const ANONYMOUS_HEADER_TAG = 'header-anonymous';

/** At most this many tags on one response. */
export const MAX_TAGS_PER_RESPONSE = 16;
/** At most this many bytes in one response's `xkey` header. */
export const MAX_TAG_HEADER_BYTES = 512;

/** xkey splits on spaces and commas: a tag is one word of safe characters. */
const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

export class InvalidCacheTagError extends Error {
  constructor(tag: string) {
    super(`Invalid cache tag ${JSON.stringify(tag)}: use letters, digits and _ . : - only`);
    this.name = 'InvalidCacheTagError';
  }
}

export class CacheTagLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CacheTagLimitError';
  }
}

export function assertCacheTag(tag: string): string {
  if (!TAG_PATTERN.test(tag)) throw new InvalidCacheTagError(tag);
  return tag;
}

export function productTag(id: number): string {
  return assertCacheTag(`product-${positiveId(id)}`);
}

export function stockTag(id: number): string {
  return assertCacheTag(`stock-${positiveId(id)}`);
}

/**
 * What a product's stock badge says ("In stock", "Only 3 left", "Sold out"), as opposed to the
 * figure behind it: a page that carries the badge inline for every anonymous visitor is tagged
 * with it, and the stock consumer purges it only when a change alters those words. A badge that
 * says "In stock" for 500 units says the same for 499, so the crowd's cached page outlives the
 * holds and sales of a rush until the last few units.
 */
export function stockLabelTag(id: number): string {
  return assertCacheTag(`stock-label-${positiveId(id)}`);
}

export function categoryTag(slug: string): string {
  return assertCacheTag(`category-${slug}`);
}

/**
 * Tags of a product listing filtered by `categorySlugs`: `listing` first, then one tag per
 * category while the header stays within `MAX_TAGS_PER_RESPONSE` tags and
 * `MAX_TAG_HEADER_BYTES` bytes. The categories left out past that are covered by `listing`,
 * which every product change soft-purges; a client-chosen filter must never make the header
 * too big to send.
 */
export function listingTags(categorySlugs: readonly string[]): string[] {
  const tags = [LISTING_TAG];
  let bytes = Buffer.byteLength(LISTING_TAG);
  for (const tag of new Set(categorySlugs.map(categoryTag))) {
    const added = Buffer.byteLength(tag) + 1;
    if (tags.length >= MAX_TAGS_PER_RESPONSE || bytes + added > MAX_TAG_HEADER_BYTES) break;
    tags.push(tag);
    bytes += added;
  }
  return tags;
}

/**
 * The `xkey` header value for one response: validated, de-duplicated, order kept. Throws
 * `CacheTagLimitError` past `MAX_TAGS_PER_RESPONSE` tags or `MAX_TAG_HEADER_BYTES` bytes: a
 * response that needs more is tagging per item and should use listing-level tags instead.
 */
export function xkeyHeader(tags: readonly string[]): string {
  const unique = [...new Set(tags.map(assertCacheTag))];
  if (unique.length > MAX_TAGS_PER_RESPONSE) {
    throw new CacheTagLimitError(
      `${unique.length} cache tags on one response (at most ${MAX_TAGS_PER_RESPONSE}): ` +
        `tag listings with ${LISTING_TAG}/category-<slug>, not one tag per item`,
    );
  }
  const header = unique.join(' ');
  if (Buffer.byteLength(header) > MAX_TAG_HEADER_BYTES) {
    throw new CacheTagLimitError(
      `xkey header of ${Buffer.byteLength(header)} bytes (at most ${MAX_TAG_HEADER_BYTES})`,
    );
  }
  return header;
}

function positiveId(id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidCacheTagError(String(id));
  }
  return id;
}
