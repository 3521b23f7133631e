import {
  buildHref,
  catalogQueryFor,
  categoryFacetLinks,
  listingHref,
  paginationModel,
  priceFacetLinks,
  priceRangeLabel,
  sortLinks,
  toggleValue,
} from './listing-model';
import { ListingQuery } from './page-params';

const base: ListingQuery = { page: 1, sort: 'relevance', categories: [], priceRanges: [] };

describe('buildHref', () => {
  it('sorts parameters, drops empty ones and encodes values', () => {
    expect(buildHref('/search', { q: 'red & blue', page: 2, category: undefined, sort: '' })).toBe(
      '/search?page=2&q=red+%26+blue',
    );
    expect(buildHref('/c/shoes', {})).toBe('/c/shoes');
  });

  it('repeats a parameter for each value, values sorted as querysort sorts them', () => {
    expect(buildHref('/search', { q: 'x', category: ['men', 'home', ''], priceRange: [] })).toBe(
      '/search?category=home&category=men&q=x',
    );
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
      priceRange: undefined,
      minPrice: 5,
      maxPrice: undefined,
      sort: undefined,
      page: 1,
      size: 12,
    });
    expect(
      catalogQueryFor(
        { ...base, sort: 'price_asc', categories: ['a'], priceRanges: ['*-25', '50-100'] },
        { categories: ['shoes'] },
      ),
    ).toMatchObject({ category: ['shoes'], priceRange: ['*-25', '50-100'], sort: 'price_asc' });
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

describe('toggleValue', () => {
  it('adds a value in order, or removes it when there', () => {
    expect(toggleValue(['b', 'd'], 'c')).toEqual(['b', 'c', 'd']);
    expect(toggleValue(['b', 'c', 'd'], 'c')).toEqual(['b', 'd']);
    expect(toggleValue([], 'a')).toEqual(['a']);
  });
});

describe('priceFacetLinks', () => {
  const buckets = [
    { key: '*-20', from: null, to: 20, count: 4, selected: false },
    { key: '20-50', from: 20, to: 50, count: 0, selected: false },
    { key: '50-*', from: 50, to: null, count: 2, selected: false },
  ];

  it('offers each non-empty range as a checkbox that ticks it, resetting the page', () => {
    expect(priceFacetLinks('/c/a', { ...base, page: 3 }, buckets)).toEqual([
      {
        label: 'Under $20',
        href: '/c/a?priceRange=*-20',
        count: 4,
        active: false,
        role: 'checkbox',
      },
      {
        label: '$50 and up',
        href: '/c/a?priceRange=50-*',
        count: 2,
        active: false,
        role: 'checkbox',
      },
    ]);
  });

  it('ticks a second range next to the first, and unticks a ticked one', () => {
    const links = priceFacetLinks('/c/a', { ...base, priceRanges: ['50-*'] }, buckets);
    expect(links[0]).toMatchObject({ active: false, href: '/c/a?priceRange=*-20&priceRange=50-*' });
    expect(links[1]).toMatchObject({ active: true, href: '/c/a' });
  });

  it('keeps a ticked range that counts nothing, so it can be unticked', () => {
    const links = priceFacetLinks('/c/a', { ...base, priceRanges: ['20-50'] }, buckets);
    expect(links.map((link) => [link.label, link.active])).toEqual([
      ['Under $20', false],
      ['$20 – $50', true],
      ['$50 and up', false],
    ]);
  });

  it('offers a way out of typed-in price bounds', () => {
    const links = priceFacetLinks('/c/a', { ...base, minPrice: 7, maxPrice: 9 }, buckets);
    expect(links[0]).toEqual({
      label: 'Any price (clear $7 – $9)',
      href: '/c/a',
      count: null,
      active: false,
      role: 'link',
    });
  });

  it('labels ranges with cents', () => {
    expect(priceRangeLabel({ from: 9.99, to: 19.5 })).toBe('$9.99 – $19.50');
  });
});

describe('categoryFacetLinks', () => {
  const buckets = [
    { key: 'shoes', label: 'Shoes', count: 3, selected: false },
    { key: 'rain-gear', label: 'Rain Gear', count: 1, selected: false },
    { key: 'empty', label: 'Empty', count: 0, selected: false },
  ];

  it('offers each non-empty category as a checkbox with its label and count', () => {
    expect(categoryFacetLinks('/search', { ...base, q: 'boot' }, buckets)).toEqual([
      {
        label: 'Shoes',
        href: '/search?category=shoes&q=boot',
        count: 3,
        active: false,
        role: 'checkbox',
      },
      {
        label: 'Rain Gear',
        href: '/search?category=rain-gear&q=boot',
        count: 1,
        active: false,
        role: 'checkbox',
      },
    ]);
  });

  it('adds a second category to the URL and removes a ticked one', () => {
    const links = categoryFacetLinks(
      '/search',
      { ...base, q: 'boot', categories: ['shoes'], page: 4 },
      buckets,
    );
    expect(links[0]).toMatchObject({ active: true, href: '/search?q=boot' });
    expect(links[1]).toMatchObject({
      active: false,
      href: '/search?category=rain-gear&category=shoes&q=boot',
    });
  });

  it('keeps to the given categories (a department page offers its own)', () => {
    const links = categoryFacetLinks('/c/x', base, buckets, new Set(['rain-gear', 'empty']));
    expect(links.map((link) => link.label)).toEqual(['Rain Gear']);
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
