import { Client, errors, type estypes } from '@elastic/elasticsearch';
import type { ProductDocument } from '@shop/contracts';
import {
  indexReplicasFor,
  type IndexReplicasSetting,
  PRODUCT_INDEX_MAPPINGS,
  PRODUCT_INDEX_REFRESH_INTERVAL,
  PRODUCT_INDEX_SETTINGS,
  versionedIndexName,
} from './index-definition';
import { toProductDocument } from './product-document';
import { BulkIndexingError, responseErrorType, toSearchError } from '../search-errors';

export interface ProductIndexerOptions {
  /**
   * Refresh policy of single writes (upsert, remove, setInStock). Default `wait_for`: the call
   * returns once the change is searchable (at most the 1 s refresh interval later, no extra
   * refresh forced), so a worker that purges Varnish after it never re-caches the old listing.
   * `false` for fire-and-forget bulk loads.
   */
  refresh?: estypes.Refresh;
  /** Timeout of one bulk request in ms (reindex batches can be large). Default 60 000. */
  bulkTimeoutMs?: number;
  /** Primary shards of each index it creates (`ELASTICSEARCH_SHARDS`). Default 1. */
  shards?: number;
  /**
   * Replicas of each index it creates (`ELASTICSEARCH_REPLICAS`). Default `auto`: the cluster's
   * node count decides, asked when the index is created (indexReplicasFor).
   */
  replicas?: IndexReplicasSetting;
}

export interface WriteOptions {
  refresh?: estypes.Refresh;
}

export interface EnsureIndexResult {
  /** The concrete index behind the alias. */
  index: string;
  /** True when this call created it. */
  created: boolean;
}

export interface ReindexResult {
  index: string;
  /** The indices the alias pointed to before, now deleted. */
  previousIndices: string[];
  documents: number;
  /**
   * When reading the source began. Writes that reached the OLD index after this moment (through
   * the alias, by other processes) are not in the new one: replay products changed since then
   * (MySQL `updated_at >= startedAt`) after the swap, or let the reconciler catch them.
   */
  startedAt: Date;
}

export interface StockFlag {
  id: number;
  inStock: boolean;
}

/** Statuses of bulk item failures that are worth retrying (queue full, node trouble). */
function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Write side of the catalog index: creating it, applying product changes, and rebuilding it with
 * no downtime. Reads are ProductSearch's job. Everything goes through the alias except a reindex,
 * which loads a fresh versioned index and then swaps the alias in one atomic call.
 *
 * No scripts, `_update_by_query` or `_reindex`: the stripped node has none of them.
 *
 * ElasticsearchModule provides it with the options from the configuration.
 */
export class ProductIndexer {
  private readonly refresh: estypes.Refresh;
  private readonly bulkTimeoutMs: number;
  private readonly shards: number;
  private readonly replicas: IndexReplicasSetting;

  constructor(
    private readonly client: Client,
    private readonly alias: string,
    options: ProductIndexerOptions = {},
  ) {
    this.refresh = options.refresh ?? 'wait_for';
    this.bulkTimeoutMs = options.bulkTimeoutMs ?? 60_000;
    this.shards = options.shards ?? 1;
    this.replicas = options.replicas ?? 'auto';
  }

  /**
   * Makes sure the alias exists: when it does not, creates a versioned index with the alias in
   * the same call (atomic). Two processes racing here may each create one; both then keep the
   * oldest and drop the other, so the alias always ends on exactly one index.
   */
  async ensureIndex(): Promise<EnsureIndexResult> {
    return this.wrap(async () => {
      const existing = await this.indicesBehindAlias();
      if (existing.length > 0) {
        const index = existing.sort()[0];
        await this.addMissingFields(index);
        return { index, created: false };
      }
      if (await this.client.indices.exists({ index: this.alias })) {
        throw new Error(
          `"${this.alias}" is a concrete index, not an alias (auto-created by a write?); ` +
            'a reindex replaces it',
        );
      }
      const index = await this.createIndex(new Date(), { [this.alias]: {} });
      const behind = (await this.indicesBehindAlias()).sort();
      const [keep, ...extra] = behind;
      await this.deleteIndices(extra);
      return { index: keep ?? index, created: keep === index };
    });
  }

  /**
   * Adds the fields the mapping gained since `index` was created (the live-price fields, say):
   * adding a field to a strict mapping is allowed in place, so no reindex is needed for it.
   * Fields that exist are left alone, so a changed definition still needs a reindex.
   */
  private async addMissingFields(index: string): Promise<void> {
    const current = await this.client.indices.getMapping({ index });
    const present = current[index]?.mappings.properties ?? {};
    const missing = Object.fromEntries(
      Object.entries(PRODUCT_INDEX_MAPPINGS.properties).filter(([field]) => !(field in present)),
    );
    if (Object.keys(missing).length === 0) return;
    await this.client.indices.putMapping({ index, properties: missing });
  }

  /** Creates or replaces the documents (full documents, so the write is idempotent). */
  async upsert(products: readonly ProductDocument[], options: WriteOptions = {}): Promise<void> {
    if (products.length === 0) return;
    await this.wrap(() =>
      this.bulk(this.alias, indexOperations(products), options.refresh ?? this.refresh, true),
    );
  }

  /** Deletes the documents; unknown ids are not an error. */
  async remove(ids: readonly number[], options: WriteOptions = {}): Promise<void> {
    if (ids.length === 0) return;
    const operations = ids.map((id) => ({ delete: { _id: String(id) } }));
    await this.wrap(() => this.bulk(this.alias, operations, options.refresh ?? this.refresh, true));
  }

  /**
   * Partial update of `inStock` only (no script). Returns false when the product is not indexed
   * (it will arrive with its next upsert or the reconciler). A write that changes nothing is a
   * no-op on the node and returns true.
   */
  async setInStock(id: number, inStock: boolean, options: WriteOptions = {}): Promise<boolean> {
    return (await this.setInStockMany([{ id, inStock }], options)) === 1;
  }

  /** Bulk form of setInStock: returns how many of the products exist in the index. */
  async setInStockMany(flags: readonly StockFlag[], options: WriteOptions = {}): Promise<number> {
    if (flags.length === 0) return 0;
    const operations = flags.flatMap(({ id, inStock }) => [
      { update: { _id: String(id), retry_on_conflict: 3 } },
      { doc: { inStock } },
    ]);
    const items = await this.wrap(() =>
      this.bulk(this.alias, operations, options.refresh ?? this.refresh, true, isMissingDocument),
    );
    return items.filter((item) => !isMissingDocument(item)).length;
  }

  /**
   * Rebuilds the index from `source` (batches, e.g. MySQL pages) with no downtime: loads a new
   * versioned index while searches keep using the old one, then moves the alias with ONE
   * `updateAliases` call and deletes the old index. On any failure the new index is dropped and
   * the alias is untouched.
   */
  async reindex(
    source: AsyncIterable<readonly ProductDocument[]> | Iterable<readonly ProductDocument[]>,
  ): Promise<ReindexResult> {
    const startedAt = new Date();
    const index = await this.wrap(() =>
      // No refreshes while loading: nobody reads this index yet, and fewer segments load faster.
      this.createIndex(startedAt, undefined, { refresh_interval: '-1' }),
    );
    let documents = 0;
    let previousIndices: string[];
    try {
      for await (const batch of source) {
        if (batch.length === 0) continue;
        await this.bulk(index, indexOperations(batch), false, false);
        documents += batch.length;
      }
      await this.client.indices.putSettings({
        index,
        settings: { index: { refresh_interval: PRODUCT_INDEX_REFRESH_INTERVAL } },
      });
      await this.client.indices.refresh({ index });

      previousIndices = await this.indicesBehindAlias();
      const actions: estypes.IndicesUpdateAliasesAction[] = previousIndices.map((old) => ({
        remove: { index: old, alias: this.alias },
      }));
      if (
        previousIndices.length === 0 &&
        (await this.client.indices.exists({ index: this.alias }))
      ) {
        // A concrete index squats the alias name (auto-created by an early write): replace it
        // in the same atomic step.
        actions.push({ remove_index: { index: this.alias } });
      }
      actions.push({ add: { index, alias: this.alias } });
      await this.client.indices.updateAliases({ actions });
    } catch (error) {
      await this.deleteIndices([index]).catch(() => undefined);
      throw toSearchError(error);
    }
    await this.wrap(() => this.deleteIndices(previousIndices));
    return { index, previousIndices, documents, startedAt };
  }

  /**
   * Every indexed document in `id` order, `batchSize` at a time (for the reconciler). Pages with
   * `search_after` on `id` through the alias, so it survives a reindex swapping the index
   * mid-way (a point in time would pin the old index, which the swap deletes).
   */
  async *iterateDocuments(batchSize = 1000): AsyncGenerator<ProductDocument[]> {
    let after: estypes.SortResults | undefined;
    for (;;) {
      const response = await this.wrap(() =>
        this.client.search<ProductDocument>({
          index: this.alias,
          size: batchSize,
          query: { match_all: {} },
          sort: [{ id: { order: 'asc' } }],
          track_total_hits: false,
          ...(after ? { search_after: after } : {}),
        }),
      );
      const hits = response.hits.hits;
      const documents = hits.flatMap((hit) => (hit._source ? [hit._source] : []));
      if (documents.length > 0) yield documents;
      if (hits.length < batchSize) return;
      after = hits[hits.length - 1].sort;
    }
  }

  /** The concrete indices the alias points to (none when it does not exist). */
  async indicesBehindAlias(): Promise<string[]> {
    try {
      return Object.keys(await this.client.indices.getAlias({ name: this.alias }));
    } catch (error) {
      // No such alias (one request, where asking whether it exists first would take two).
      if (error instanceof errors.ResponseError && error.statusCode === 404) return [];
      throw error;
    }
  }

  private async createIndex(
    date: Date,
    aliases?: Record<string, estypes.IndicesAlias>,
    overrides: estypes.IndicesIndexSettings = {},
  ): Promise<string> {
    const settings: estypes.IndicesIndexSettings = {
      ...PRODUCT_INDEX_SETTINGS,
      number_of_shards: this.shards,
      number_of_replicas: await this.replicasOfNewIndex(),
      ...overrides,
    };
    // Two indices created in the same millisecond would collide: step the clock forward.
    for (let attempt = 0; ; attempt += 1) {
      const index = versionedIndexName(this.alias, new Date(date.getTime() + attempt));
      try {
        await this.client.indices.create({
          index,
          settings,
          mappings: PRODUCT_INDEX_MAPPINGS,
          ...(aliases ? { aliases } : {}),
        });
        return index;
      } catch (error) {
        const exists =
          error instanceof errors.ResponseError &&
          responseErrorType(error) === 'resource_already_exists_exception';
        if (!exists || attempt >= 10) throw error;
      }
    }
  }

  /**
   * The configured replicas; for `auto`, decided from the nodes `_cluster/health` reports now
   * (not `GET /`: the stripped server answers it with 405).
   */
  private async replicasOfNewIndex(): Promise<number> {
    if (this.replicas !== 'auto') return this.replicas;
    const health = await this.client.cluster.health();
    return indexReplicasFor(this.replicas, health.number_of_nodes);
  }

  /** Deletes each index; one already gone (a racing process deleted it) is fine. */
  private async deleteIndices(indices: readonly string[]): Promise<void> {
    // One call per index: a multi-index delete fails as a whole when any name is missing,
    // `ignore_unavailable` notwithstanding.
    for (const index of indices) {
      await this.client.indices.delete({ index }, { ignore: [404] });
    }
  }

  /**
   * One bulk request; throws BulkIndexingError when an item failed (the response is 200 even
   * then). `tolerated` items (e.g. updates of unknown documents) do not count as failures.
   */
  private async bulk(
    index: string,
    operations: estypes.BulkRequest['operations'],
    refresh: estypes.Refresh,
    requireAlias: boolean,
    tolerated: (item: estypes.BulkResponseItem) => boolean = () => false,
  ): Promise<estypes.BulkResponseItem[]> {
    const response = await this.client.bulk(
      // require_alias: a write before ensureIndex must fail, not auto-create a concrete index
      // with a dynamic mapping under the alias's name.
      { index, operations, refresh, ...(requireAlias ? { require_alias: true } : {}) },
      { requestTimeout: this.bulkTimeoutMs },
    );
    const items = response.items.flatMap((entry) => Object.values(entry));
    if (response.errors) {
      const failed = items.filter((item) => item.error && !tolerated(item));
      if (failed.length > 0) {
        const first = failed[0];
        throw new BulkIndexingError(
          failed.length,
          {
            id: first._id ?? null,
            status: first.status,
            type: first.error?.type ?? 'unknown',
            reason: first.error?.reason ?? 'unknown',
          },
          failed.every((item) => isTransientStatus(item.status)),
        );
      }
    }
    return items;
  }

  private async wrap<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toSearchError(error);
    }
  }
}

function indexOperations(
  products: readonly ProductDocument[],
): NonNullable<estypes.BulkRequest['operations']> {
  return products.flatMap((product) => {
    const document = toProductDocument(product, product.inStock);
    return [{ index: { _id: String(document.id) } }, document];
  });
}

function isMissingDocument(item: estypes.BulkResponseItem): boolean {
  return item.status === 404 && item.error?.type === 'document_missing_exception';
}
