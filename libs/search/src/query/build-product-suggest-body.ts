import type { estypes } from '@elastic/elasticsearch';

export const MAX_SUGGESTIONS = 10;

export type ProductSuggestBody = Required<
  Pick<
    estypes.SearchRequest,
    'query' | 'collapse' | 'sort' | 'size' | '_source' | 'track_total_hits'
  >
>;

/**
 * Autocomplete for the search box: "linen bl" -> "Linen Blazer".
 *
 * `name.autocomplete` holds edge n-grams of every word of the name, so each typed word must be the
 * start of some word of the name (operator `and`). A word longer than the longest n-gram (15
 * letters) is found through the stemmed `name` field instead. Several products can share a name
 * (sizes, colours): collapsing on `name.keyword` returns each name once, best hit first.
 */
export function buildProductSuggestBody(prefix: string, limit: number): ProductSuggestBody {
  const text = prefix.trim();
  return {
    query: {
      bool: {
        should: [
          { match: { 'name.autocomplete': { query: text, operator: 'and' } } },
          { match: { name: { query: text, operator: 'and' } } },
        ],
        minimum_should_match: 1,
      },
    },
    collapse: { field: 'name.keyword' },
    // Equal scores (common for short prefixes) fall back to alphabetical order, so it is stable.
    sort: [{ _score: { order: 'desc' } }, { 'name.keyword': { order: 'asc' } }],
    size: clampSuggestionLimit(limit),
    _source: ['id', 'name'],
    track_total_hits: false,
  };
}

export function clampSuggestionLimit(limit: number): number {
  if (!Number.isFinite(limit)) return MAX_SUGGESTIONS;
  return Math.min(MAX_SUGGESTIONS, Math.max(1, Math.trunc(limit)));
}
