import { cacheHeaders, CachePolicy } from './cache-headers';
import {
  CacheTagLimitError,
  categoryTag,
  InvalidCacheTagError,
  LISTING_TAG,
  listingTags,
  MAX_TAG_HEADER_BYTES,
  MAX_TAGS_PER_RESPONSE,
  MENU_TAG,
  productTag,
  stockLabelTag,
  stockTag,
  xkeyHeader,
} from './cache-tags';

describe('cacheHeaders', () => {
  it('caches a product page an hour in Varnish, private to browsers because of ESI', () => {
    expect(cacheHeaders({ ...CachePolicy.product, esi: true, tags: [productTag(42)] })).toEqual({
      'Cache-Control': 'private, no-cache',
      'Surrogate-Control': 'content="ESI/1.0", max-age=3600',
      xkey: 'product-42',
    });
  });

  it('caches the menu fragment a day, tagged menu', () => {
    expect(cacheHeaders({ ...CachePolicy.menu, tags: [MENU_TAG] })).toEqual({
      'Cache-Control': 'no-cache',
      'Surrogate-Control': 'max-age=86400',
      xkey: 'menu',
    });
  });

  it('caches stock briefly, tagged stock-<id>', () => {
    expect(cacheHeaders({ ...CachePolicy.stock, tags: [stockTag(7)] })).toEqual({
      'Cache-Control': 'no-cache',
      'Surrogate-Control': 'max-age=60',
      xkey: 'stock-7',
    });
  });

  it('keeps a versioned script a year in browsers and in Varnish', () => {
    expect(cacheHeaders(CachePolicy.asset)).toEqual({
      'Cache-Control': 'public, max-age=31536000',
      'Surrogate-Control': 'max-age=31536000',
    });
  });

  it('tags a listing with listing-level tags only', () => {
    const headers = cacheHeaders({
      ...CachePolicy.listing,
      esi: true,
      tags: [LISTING_TAG, categoryTag('shoes')],
    });
    expect(headers['Surrogate-Control']).toBe('content="ESI/1.0", max-age=300');
    expect(headers.xkey).toBe('listing category-shoes');
  });

  it('never stores private content, and sends no tags for it', () => {
    expect(cacheHeaders({ ...CachePolicy.private, sharedMaxAge: 3600, tags: ['x'] })).toEqual({
      'Cache-Control': 'private, no-store',
      'Surrogate-Control': 'no-store',
    });
  });

  it('marks uncacheable responses no-store for everyone', () => {
    expect(cacheHeaders(CachePolicy.uncacheable)).toEqual({
      'Cache-Control': 'no-store',
      'Surrogate-Control': 'no-store',
    });
  });

  it('does not store in Varnish without a shared lifetime', () => {
    expect(cacheHeaders({ maxAge: 30, tags: ['menu'] })).toEqual({
      'Cache-Control': 'public, max-age=30',
      'Surrogate-Control': 'no-store',
    });
  });

  it('gives browsers a lifetime when asked, private when the page has ESI', () => {
    expect(cacheHeaders({ maxAge: 60, sharedMaxAge: 600 })['Cache-Control']).toBe(
      'public, max-age=60',
    );
    expect(cacheHeaders({ maxAge: 60, sharedMaxAge: 600, esi: true })['Cache-Control']).toBe(
      'private, max-age=60',
    );
  });

  it('keeps the ESI switch on a private page', () => {
    expect(cacheHeaders({ private: true, esi: true })['Surrogate-Control']).toBe(
      'content="ESI/1.0", no-store',
    );
  });

  it('refuses negative or fractional lifetimes', () => {
    expect(() => cacheHeaders({ sharedMaxAge: -1 })).toThrow(RangeError);
    expect(() => cacheHeaders({ maxAge: 1.5 })).toThrow(/maxAge/);
  });

  it('de-duplicates tags and omits the header when there are none', () => {
    expect(cacheHeaders({ sharedMaxAge: 10, tags: ['a', 'b', 'a'] }).xkey).toBe('a b');
    expect(cacheHeaders({ sharedMaxAge: 10, tags: [] })).not.toHaveProperty('xkey');
  });
});

describe('tags', () => {
  it('builds the shared tag names', () => {
    expect(productTag(1)).toBe('product-1');
    expect(stockTag(2)).toBe('stock-2');
    expect(stockLabelTag(2)).toBe('stock-label-2');
    expect(categoryTag('mens-shoes')).toBe('category-mens-shoes');
  });

  it('refuses ids and slugs that would split into several xkey tags', () => {
    expect(() => productTag(0)).toThrow(InvalidCacheTagError);
    expect(() => stockTag(1.5)).toThrow(InvalidCacheTagError);
    expect(() => stockLabelTag(0)).toThrow(InvalidCacheTagError);
    expect(() => categoryTag('a b')).toThrow(InvalidCacheTagError);
    expect(() => categoryTag('a,b')).toThrow(InvalidCacheTagError);
    expect(() => xkeyHeader([''])).toThrow(InvalidCacheTagError);
  });

  it('bounds the number of tags per response', () => {
    const many = Array.from({ length: MAX_TAGS_PER_RESPONSE + 1 }, (_, i) => productTag(i + 1));
    expect(() => xkeyHeader(many)).toThrow(CacheTagLimitError);
    expect(() => xkeyHeader(many)).toThrow(/listing/);
    expect(xkeyHeader(many.slice(0, MAX_TAGS_PER_RESPONSE)).split(' ')).toHaveLength(
      MAX_TAGS_PER_RESPONSE,
    );
  });

  it('bounds the header size', () => {
    expect(() => xkeyHeader([categoryTag('x'.repeat(600))])).toThrow(/bytes/);
  });
});

describe('listingTags', () => {
  it('tags a listing with listing and its categories', () => {
    expect(listingTags(['shoes', 'boots', 'shoes'])).toEqual([
      LISTING_TAG,
      'category-shoes',
      'category-boots',
    ]);
  });

  it('stays within the tag count and byte bounds whatever the filter lists', () => {
    const many = Array.from({ length: 40 }, (_, index) => `c${index}`);
    expect(listingTags(many)).toHaveLength(MAX_TAGS_PER_RESPONSE);
    const long = Array.from({ length: 4 }, (_, index) => `${index}${'x'.repeat(127)}`);
    const tags = listingTags(long);
    expect(tags[0]).toBe(LISTING_TAG);
    expect(tags.length).toBeLessThan(long.length + 1);
    expect(Buffer.byteLength(xkeyHeader(tags))).toBeLessThanOrEqual(MAX_TAG_HEADER_BYTES);
  });
});
