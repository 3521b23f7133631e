import { buildProductSuggestBody, clampSuggestionLimit } from './build-product-suggest-body';

describe('buildProductSuggestBody', () => {
  it('matches every typed word as a word prefix, or as a whole stemmed word', () => {
    expect(buildProductSuggestBody('  linen bl ', 5).query).toEqual({
      bool: {
        should: [
          { match: { 'name.autocomplete': { query: 'linen bl', operator: 'and' } } },
          { match: { name: { query: 'linen bl', operator: 'and' } } },
        ],
        minimum_should_match: 1,
      },
    });
  });

  it('returns each name once, best first, with a stable order for ties', () => {
    const body = buildProductSuggestBody('bl', 5);
    expect(body.collapse).toEqual({ field: 'name.keyword' });
    expect(body.sort).toEqual([
      { _score: { order: 'desc' } },
      { 'name.keyword': { order: 'asc' } },
    ]);
    expect(body._source).toEqual(['id', 'name']);
    expect(body.track_total_hits).toBe(false);
    expect(body.size).toBe(5);
  });
});

describe('clampSuggestionLimit', () => {
  it.each([
    [5, 5],
    [10, 10],
    [11, 10],
    [1000, 10],
    [0, 1],
    [-3, 1],
    [2.7, 2],
    [Number.NaN, 10],
    [Number.POSITIVE_INFINITY, 10],
  ])('%p -> %p', (limit, expected) => {
    expect(clampSuggestionLimit(limit)).toBe(expected);
  });
});
