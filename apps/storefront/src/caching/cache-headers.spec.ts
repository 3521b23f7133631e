import { cacheHeaders, StorefrontCache } from './cache-headers';

describe('cacheHeaders', () => {
  it('gives a page shell its Varnish lifetime, ESI processing and tags, and keeps browsers out', () => {
    expect(
      cacheHeaders({ rule: StorefrontCache.productPage, tags: ['product-1'], esi: true }),
    ).toEqual({
      'Cache-Control': 'private, no-cache',
      'Surrogate-Control': 'content="ESI/1.0", max-age=3600',
      xkey: 'product-1',
    });
  });

  it('joins tags with spaces, once each', () => {
    expect(
      cacheHeaders({
        rule: StorefrontCache.listingPage,
        tags: ['listing', 'category-a', 'listing'],
      }).xkey,
    ).toBe('listing category-a');
  });

  it('never lets Varnish store private content, nor tags it', () => {
    expect(cacheHeaders({ rule: StorefrontCache.private, tags: ['x'] })).toEqual({
      'Cache-Control': 'private, no-store',
      'Surrogate-Control': 'no-store',
    });
  });

  it('gives fragments their lifetimes', () => {
    expect(cacheHeaders({ rule: StorefrontCache.menu })['Surrogate-Control']).toBe('max-age=86400');
    expect(cacheHeaders({ rule: StorefrontCache.stockBadge })['Surrogate-Control']).toBe(
      'max-age=60',
    );
  });
});
