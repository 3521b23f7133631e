import {
  buildHref,
  catalogQueryFor,
  categoryFacetLinks,
  inclusiveMaxPrice,
  listingHref,
  paginationModel,
  priceFacetLinks,
  priceRangeLabel,
  sortLinks,
} from './listing-model';
import { ListingQuery } from './page-params';

const base: ListingQuery = { page: 1, sort: 'relevance' };

describe('buildHref', () => {
  it('sorts parameters, drops empty ones and encodes values', () => {
    expect(buildHref('/search', { q: 'red & blue', page: 2, category: undefined, sort: '' })).toBe(
      '/search?page=2&q=red+%26+blue',
    );
    expect(buildHref('/c/shoes', {})).toBe('/c/shoes');
  });
});

describe('listingHref', () => {
  it('leaves the defaults (page 1, relevance) out of the link', () => {
    expect(listingHref('/c/shoes', { ...base, page: 3, sort: 'newest' }, { page: 1 })).toBe(
      '/c/shoes?sort=newest',
    );
  });
});

describe('catalogQueryFor', () => {
  it('asks the catalog for one fixed-size page, leaving its default sort implicit', () => {
    expect(catalogQueryFor({ ...base, q: 'boot', minPrice: 5 }, {})).toEqual({
      q: 'boot',
      category: undefined,
      minPrice: 5,
      maxPrice: undefined,
      sort: undefined,
      page: 1,
      size: 12,
    });
    expect(catalogQueryFor({ ...base, sort: 'price_asc' }, { category: 'shoes' })).toMatchObject({
      category: 'shoes',
      sort: 'price_asc',
    });
  });
});

describe('paginationModel', () => {
  it('is a single page when everything fits', () => {
    const pagination = paginationModel('/c/a', base, 5);
    expect(pagination).toMatchObject({ totalPages: 1, previous: null, next: null });
    expect(pagination.links).toEqual([{ number: 1, href: '/c/a', current: true }]);
  });

  it('shows the first, the last and a window around the current page with gaps', () => {
    const pagination = paginationModel('/c/a', { ...base, page: 10 }, 12 * 20);
    expect(pagination.totalPages).toBe(20);
    expect(pagination.links.map((link) => link?.number ?? '…')).toEqual([
      1,
      '…',
      8,
      9,
      10,
      11,
      12,
      '…',
      20,
    ]);
    expect(pagination.previous).toBe('/c/a?page=9');
    expect(pagination.next).toBe('/c/a?page=11');
    expect(pagination.links.find((link) => link?.current)?.number).toBe(10);
  });

  it('keeps the filters in page links', () => {
    const pagination = paginationModel('/search', { ...base, q: 'hat', minPrice: 10 }, 30);
    expect(pagination.next).toBe('/search?minPrice=10&page=2&q=hat');
  });

  it('points a page past the end back into range', () => {
    const pagination = paginationModel('/c/a', { ...base, page: 9 }, 13);
    expect(pagination.totalPages).toBe(2);
    expect(pagination.next).toBeNull();
    expect(pagination.previous).toBe('/c/a?page=2');
  });
});

describe('priceFacetLinks', () => {
  const buckets = [
    { from: null, to: 20, count: 4 },
    { from: 20, to: 50, count: 0 },
    { from: 50, to: null, count: 2 },
  ];

  it('links each non-empty range, resetting the page', () => {
    expect(priceFacetLinks('/c/a', { ...base, page: 3 }, buckets)).toEqual([
      { label: 'Under $20', href: '/c/a?maxPrice=19.99', count: 4, active: false },
      { label: '$50 and up', href: '/c/a?minPrice=50', count: 2, active: false },
    ]);
  });

  it('marks the chosen range active and lets it clear the filter', () => {
    const links = priceFacetLinks('/c/a', { ...base, minPrice: 50 }, buckets);
    expect(links[1]).toEqual({ label: '$50 and up', href: '/c/a', count: 2, active: true });
  });

  it('offers "Any price" for a typed-in range that matches no bucket', () => {
    const links = priceFacetLinks('/c/a', { ...base, minPrice: 7, maxPrice: 9 }, buckets);
    expect(links[0]).toEqual({ label: 'Any price', href: '/c/a', count: null, active: false });
  });

  it('turns the exclusive bucket end into an inclusive maxPrice', () => {
    const links = priceFacetLinks('/c/a', { ...base, maxPrice: 19.99 }, buckets);
    expect(links[0]).toMatchObject({ label: 'Under $20', href: '/c/a', active: true });
    expect(inclusiveMaxPrice(0.1)).toBe(0.09);
  });

  it('labels ranges with cents', () => {
    expect(priceRangeLabel({ from: 9.99, to: 19.5 })).toBe('$9.99 – $19.50');
  });
});

describe('categoryFacetLinks', () => {
  it('narrows the search to a category, names it from the tree, and widens again', () => {
    const names = new Map([['shoes', 'Shoes']]);
    const buckets = [
      { key: 'shoes', count: 3 },
      { key: 'rain-gear', count: 1 },
      { key: 'empty', count: 0 },
    ];
    expect(categoryFacetLinks('/search', { ...base, q: 'boot' }, buckets, names)).toEqual([
      { label: 'Shoes', href: '/search?category=shoes&q=boot', count: 3, active: false },
      { label: 'Rain gear', href: '/search?category=rain-gear&q=boot', count: 1, active: false },
    ]);
    const active = categoryFacetLinks(
      '/search',
      { ...base, q: 'boot', category: 'shoes' },
      buckets,
      names,
    );
    expect(active[0]).toMatchObject({ active: true, href: '/search?q=boot' });
  });
});

describe('sortLinks', () => {
  it('offers every sort and marks the current one', () => {
    const links = sortLinks('/c/a', { ...base, sort: 'price_desc' });
    expect(links.map((link) => link.href)).toEqual([
      '/c/a',
      '/c/a?sort=price_asc',
      '/c/a?sort=price_desc',
      '/c/a?sort=newest',
    ]);
    expect(links.filter((link) => link.active).map((link) => link.label)).toEqual([
      'Price: high to low',
    ]);
  });
});
