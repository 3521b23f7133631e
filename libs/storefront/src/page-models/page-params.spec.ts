import { BadPageRequest } from './page-errors';
import {
  MAX_LISTING_PAGE,
  parseCategoryQuery,
  parsePage,
  parsePrice,
  parseProductIdParam,
  parseSearchQuery,
  parseSort,
  singleParam,
} from './page-params';

describe('parseProductIdParam', () => {
  it('accepts digits only, within the id column, and refuses the rest as a bad request', () => {
    expect(parseProductIdParam('42')).toBe(42);
    for (const raw of [
      '0',
      '-1',
      '01',
      '1.5',
      'abc',
      '1e3',
      '0x10',
      '+1',
      ' 1',
      '',
      '4294967296',
    ]) {
      expect(() => parseProductIdParam(raw)).toThrow(BadPageRequest);
    }
    expect(() => parseProductIdParam('1e3')).toThrow(/^id must be a product id/);
  });
});

describe('parsePage', () => {
  it('defaults to 1 and accepts whole numbers up to the search window', () => {
    expect(parsePage(undefined)).toBe(1);
    expect(parsePage('3')).toBe(3);
    expect(parsePage(String(MAX_LISTING_PAGE))).toBe(MAX_LISTING_PAGE);
  });

  it('refuses pages below 1, past the window, or not whole numbers', () => {
    for (const raw of ['0', '-2', 'x', '1.5', String(MAX_LISTING_PAGE + 1)]) {
      expect(() => parsePage(raw)).toThrow(BadPageRequest);
    }
  });
});

describe('parseSort and parsePrice', () => {
  it('knows the catalog sorts', () => {
    expect(parseSort(undefined)).toBe('relevance');
    expect(parseSort('price_asc')).toBe('price_asc');
    expect(() => parseSort('cheapest')).toThrow(BadPageRequest);
  });

  it('reads prices with at most two decimals', () => {
    expect(parsePrice('19.99', 'minPrice')).toBe(19.99);
    expect(parsePrice('0', 'minPrice')).toBe(0);
    expect(parsePrice(undefined, 'minPrice')).toBeUndefined();
    for (const raw of ['-1', '1.999', 'abc', '1e3', '00']) {
      expect(() => parsePrice(raw, 'minPrice')).toThrow(/minPrice/);
    }
  });
});

describe('singleParam', () => {
  it('treats an empty value as absent and a repeated one as bad', () => {
    expect(singleParam({ q: '' }, 'q')).toBeUndefined();
    expect(singleParam({ q: 'x' }, 'q')).toBe('x');
    expect(() => singleParam({ q: ['a', 'b'] }, 'q')).toThrow(BadPageRequest);
  });
});

describe('parseCategoryQuery', () => {
  it('reads page, sort and price range and ignores other parameters', () => {
    expect(parseCategoryQuery({ page: '2', sort: 'newest', minPrice: '10', size: '500' })).toEqual({
      categories: [],
      priceRanges: [],
      page: 2,
      sort: 'newest',
      minPrice: 10,
      maxPrice: undefined,
    });
  });

  it('reads ticked categories and price ranges, sorted, each once, empty ones ignored', () => {
    expect(
      parseCategoryQuery({
        category: ['women-tops', 'women-dresses', 'women-tops', ''],
        priceRange: '25-50',
      }),
    ).toMatchObject({ categories: ['women-dresses', 'women-tops'], priceRanges: ['25-50'] });
  });

  it.each([
    [{ category: 'Not A Slug' }, /"category" must be a category slug/],
    [{ category: Array.from({ length: 21 }, (_, i) => `c${i}`) }, /at most 20 times/],
    [{ priceRange: 'cheap' }, /"priceRange" must be a price range/],
    [{ priceRange: ['1-2', '2-3', '3-4', '4-5', '5-6', '6-7'] }, /at most 5 times/],
    [{ category: { nested: 'x' } }, /"category" must be text/],
  ])('refuses %o', (query, message) => {
    expect(() => parseCategoryQuery(query)).toThrow(BadPageRequest);
    expect(() => parseCategoryQuery(query)).toThrow(message);
  });

  it('refuses an inverted price range', () => {
    expect(() => parseCategoryQuery({ minPrice: '50', maxPrice: '10' })).toThrow(/minPrice/);
  });
});

describe('parseSearchQuery', () => {
  it('trims the text and validates the category', () => {
    expect(parseSearchQuery({ q: '  boots ', category: ['shoes', 'boots'] })).toMatchObject({
      q: 'boots',
      categories: ['boots', 'shoes'],
      page: 1,
    });
    expect(() => parseSearchQuery({ q: 'x', category: 'Not A Slug' })).toThrow(BadPageRequest);
  });

  it('allows an empty query and refuses one over 200 characters', () => {
    expect(parseSearchQuery({}).q).toBe('');
    expect(parseSearchQuery({ q: 'a'.repeat(200) }).q).toHaveLength(200);
    expect(() => parseSearchQuery({ q: 'a'.repeat(201) })).toThrow(/200 characters/);
  });
});
