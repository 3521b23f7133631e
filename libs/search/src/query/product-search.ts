import { Client, errors } from '@elastic/elasticsearch';
import { Inject, Injectable } from '@nestjs/common';
import type { ProductDocument, ProductSearchQuery, ProductSearchResult } from '@shop/contracts';
import {
  assertSearchPage,
  buildProductSearchBody,
  FLAT_TAXONOMY,
  type CategoryTaxonomy,
} from './build-product-search-body';
import { buildProductSuggestBody } from './build-product-suggest-body';
import {
  parseProductSearchResponse,
  roundToCents,
  type ProductSearchAggregations,
  type ProductSearchSource,
} from './parse-product-search-response';
import { responseErrorType, SearchUnavailableError, toSearchError } from '../search-errors';
import { ELASTICSEARCH_CLIENT, PRODUCTS_INDEX_ALIAS } from '../search.tokens';

/** One autocomplete entry: a distinct product name and the best-matching product carrying it. */
export interface ProductSuggestion {
  id: number;
  name: string;
}

/**
 * Read side of the catalog: everything the storefront asks Elasticsearch, always through the
 * alias so a reindex can swap the index underneath.
 *
 * Failures the caller cannot fix (node down, overloaded, index missing) come out as
 * SearchUnavailableError (HTTP 503); a page beyond the result window as SearchPageOutOfRangeError
 * (400). Any other Elasticsearch error is a bug on our side and is re-thrown without the node's
 * message, which would leak index names and query internals.
 */
@Injectable()
export class ProductSearch {
  constructor(
    @Inject(ELASTICSEARCH_CLIENT) private readonly client: Client,
    @Inject(PRODUCTS_INDEX_ALIAS) private readonly alias: string,
  ) {}

  /**
   * Hits, total and every facet from ONE search request. `taxonomy` expands departments to their
   * subtrees and names the category buckets; the caller already holds the category tree, so no
   * second request (nor names stored in every document) is needed.
   */
  async search(
    query: ProductSearchQuery,
    taxonomy: CategoryTaxonomy = FLAT_TAXONOMY,
  ): Promise<ProductSearchResult> {
    assertSearchPage(query);
    const body = buildProductSearchBody(query, taxonomy);
    const response = await this.call(() =>
      this.client.search<ProductSearchSource, ProductSearchAggregations>({
        index: this.alias,
        ...body,
      }),
    );
    return parseProductSearchResponse(response, query, taxonomy);
  }

  /** The stored document, or null when no product has this id. */
  async getById(id: number): Promise<ProductDocument | null> {
    if (!Number.isSafeInteger(id) || id < 1) return null;
    try {
      const response = await this.client.get<ProductDocument>({
        index: this.alias,
        id: String(id),
      });
      return response.found && response._source
        ? { ...response._source, price: roundToCents(response._source.price) }
        : null;
    } catch (error) {
      // 404 with `found: false` is "no such product"; 404 index_not_found is "no catalog".
      if (
        error instanceof errors.ResponseError &&
        error.statusCode === 404 &&
        responseErrorType(error) === undefined
      ) {
        return null;
      }
      throw this.translate(error);
    }
  }

  /** Distinct product names matching what was typed so far, best first, at most 10. */
  async suggest(prefix: string, limit = 10): Promise<ProductSuggestion[]> {
    if (prefix.trim().length === 0) return [];
    const body = buildProductSuggestBody(prefix, limit);
    const response = await this.call(() =>
      this.client.search<ProductSuggestion>({ index: this.alias, ...body }),
    );
    // Collapsing already returns each name once; names that differ only in case are merged too.
    const seen = new Set<string>();
    const suggestions: ProductSuggestion[] = [];
    for (const hit of response.hits.hits) {
      const source = hit._source;
      if (!source) continue;
      const key = source.name.toLocaleLowerCase('en');
      if (seen.has(key)) continue;
      seen.add(key);
      suggestions.push({ id: Number(source.id), name: source.name });
    }
    return suggestions;
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): unknown {
    const translated = toSearchError(error);
    if (translated instanceof SearchUnavailableError) return translated;
    if (error instanceof errors.ElasticsearchClientError) {
      return new Error('Elasticsearch rejected the catalog request', { cause: error });
    }
    return error;
  }
}
