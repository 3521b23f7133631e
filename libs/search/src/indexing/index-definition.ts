import type { estypes } from '@elastic/elasticsearch';

/**
 * The product index: settings and an explicit, strict mapping.
 *
 * The same text must work on the official full image (docker-compose) and on the stripped 8.19
 * server used on machines without Docker, where the `english` analyzer and the `lowercase` /
 * `edge_ngram` token filters come from our own analysis plugin under the full distribution's
 * names. So: no `search_as_you_type`, no `scaled_float` (mapper-extras), no scripts.
 */

export const AUTOCOMPLETE_MIN_GRAM = 2;
export const AUTOCOMPLETE_MAX_GRAM = 15;

export const PRODUCT_INDEX_REFRESH_INTERVAL = '1s';

/**
 * What `ELASTICSEARCH_REPLICAS` may say: a number of replicas, or `auto` (see indexReplicasFor).
 */
export type IndexReplicasSetting = number | 'auto';

/**
 * The replicas an index is created with. `auto`: none on a single node, which cannot place a
 * replica (the index would stay yellow and only make health checks noisy); one when the cluster
 * has more nodes, so losing one node loses no shard.
 */
export function indexReplicasFor(setting: IndexReplicasSetting, nodeCount: number): number {
  if (setting !== 'auto') return setting;
  return nodeCount > 1 ? 1 : 0;
}

/**
 * Everything but the shard layout: `number_of_shards` and `number_of_replicas` come from the
 * configuration (`ELASTICSEARCH_SHARDS`, default 1: one shard keeps relevance scoring exact and
 * aggregations cheap at catalog sizes; `ELASTICSEARCH_REPLICAS`, default `auto`) through
 * ProductIndexerOptions, when an index is created.
 */
export const PRODUCT_INDEX_SETTINGS = {
  // Set explicitly: with the default left unset, a shard that saw no search for 30 s goes
  // "search idle" and stops refreshing, so a write's visibility would depend on traffic. Pinned,
  // every write is searchable within a second, and `refresh: wait_for` returns within one.
  refresh_interval: PRODUCT_INDEX_REFRESH_INTERVAL,
  analysis: {
    filter: {
      autocomplete_edge_ngram: {
        type: 'edge_ngram',
        min_gram: AUTOCOMPLETE_MIN_GRAM,
        max_gram: AUTOCOMPLETE_MAX_GRAM,
      },
    },
    analyzer: {
      // Index side: "Linen Blazer" -> li, lin, line, linen, bl, bla, ...
      autocomplete: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['lowercase', 'autocomplete_edge_ngram'],
      },
      // Query side must NOT n-gram, or "bla" would also match everything starting with "bl".
      autocomplete_search: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['lowercase'],
      },
    },
  },
} satisfies estypes.IndicesIndexSettings;

/** Longest name kept in `name.keyword` (sorting, collapsing suggestions); longer ones are skipped. */
export const NAME_KEYWORD_IGNORE_ABOVE = 256;

export const PRODUCT_INDEX_MAPPINGS = {
  // A typo in a field name must fail the write, not silently grow the mapping.
  dynamic: 'strict',
  properties: {
    // Numeric so sorting and search_after on it are numeric; `_id` carries the same value.
    id: { type: 'long' },
    sku: { type: 'keyword' },
    name: {
      type: 'text',
      analyzer: 'english',
      fields: {
        keyword: { type: 'keyword', ignore_above: NAME_KEYWORD_IGNORE_ABOVE },
        autocomplete: {
          type: 'text',
          analyzer: 'autocomplete',
          search_analyzer: 'autocomplete_search',
        },
      },
    },
    description: { type: 'text', analyzer: 'english' },
    // `scaled_float` lives in mapper-extras, which the stripped server lacks; responses are
    // rounded to cents instead.
    // The effective price (the sale price while a sale runs): what sorting, filters and price
    // facets see. The rest is for display.
    price: { type: 'double' },
    regularPrice: { type: 'double' },
    salePrice: { type: 'double' },
    saleStartsAt: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
    saleEndsAt: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
    categories: { type: 'keyword' },
    inStock: { type: 'boolean' },
    createdAt: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
    updatedAt: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
  },
} satisfies estypes.MappingTypeMapping;

/** The fields a product document holds, in mapping order. */
export const PRODUCT_DOCUMENT_FIELDS = Object.keys(PRODUCT_INDEX_MAPPINGS.properties) as Array<
  keyof typeof PRODUCT_INDEX_MAPPINGS.properties
>;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * The concrete index behind `alias` built at `date`: `products_v20250314093015123` (UTC,
 * millisecond precision, so names sort by age and two reindexes a second apart do not collide).
 */
export function versionedIndexName(alias: string, date: Date): string {
  const stamp =
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2) +
    pad(date.getUTCMilliseconds(), 3);
  return `${alias}_v${stamp}`;
}

/** True when `index` is one of the versioned indices `versionedIndexName(alias, …)` makes. */
export function isVersionedIndexOf(alias: string, index: string): boolean {
  return index.startsWith(`${alias}_v`) && /^\d{17}$/.test(index.slice(alias.length + 2));
}
