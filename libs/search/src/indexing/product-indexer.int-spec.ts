import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { parseShopConfig, SHOP_CONFIG } from '@shop/config';
import type { ProductDocument, ProductSearchQuery } from '@shop/contracts';
import { createElasticsearchClient, ElasticsearchModule } from '../elasticsearch.module';
import { ProductIndexer, type ProductIndexerOptions } from './product-indexer';
import { ProductSearch } from '../query/product-search';
import { BulkIndexingError } from '../search-errors';
import { SearchHealth } from '../search-health';
import { PRODUCTS_INDEX_ALIAS } from '../search.tokens';
import {
  deleteTestIndices,
  ELASTICSEARCH_TEST_NODES,
  indicesOf,
  PRODUCT_FIXTURES,
  uniqueTestAlias,
} from '../testing/product-fixtures';

const browse: ProductSearchQuery = { categories: [], sort: 'relevance', page: 1, size: 100 };

function generatedProduct(id: number): ProductDocument {
  const createdAt = new Date(Date.UTC(2025, 1, 1) + id * 1000).toISOString();
  return {
    id,
    sku: `GEN-${id}`,
    name: `Generated Product ${id}`,
    description: `Filler product number ${id}`,
    price: 10 + (id % 300),
    categories: [id % 2 === 0 ? 'even' : 'odd'],
    inStock: id % 3 !== 0,
    createdAt,
    updatedAt: createdAt,
  };
}

describe('ProductIndexer against Elasticsearch', () => {
  const client = createElasticsearchClient(ELASTICSEARCH_TEST_NODES);
  const aliases: string[] = [];

  /** A fresh alias with its own indexer and search, removed after the file. */
  function setup(
    label: string,
    options?: ProductIndexerOptions,
  ): { alias: string; indexer: ProductIndexer; search: ProductSearch } {
    const alias = uniqueTestAlias(label);
    aliases.push(alias);
    return {
      alias,
      indexer: new ProductIndexer(client, alias, options),
      search: new ProductSearch(client, alias),
    };
  }

  afterAll(async () => {
    for (const alias of aliases) await deleteTestIndices(client, alias);
    await client.close();
  });

  describe('ensureIndex', () => {
    it('creates a versioned index behind the alias once, then leaves it', async () => {
      const { alias, indexer } = setup('ensure');
      const first = await indexer.ensureIndex();
      expect(first.created).toBe(true);
      expect(first.index.startsWith(`${alias}_v`)).toBe(true);
      const second = await indexer.ensureIndex();
      expect(second).toEqual({ index: first.index, created: false });
      expect(await indexer.indicesBehindAlias()).toEqual([first.index]);
    });

    it('ends on exactly one index when several processes race to create it', async () => {
      const { alias } = setup('race');
      const racers = [1, 2, 3, 4].map(() => new ProductIndexer(client, alias));
      const results = await Promise.all(racers.map((racer) => racer.ensureIndex()));
      const behind = await racers[0].indicesBehindAlias();
      expect(behind).toHaveLength(1);
      expect(new Set(results.map((result) => result.index))).toEqual(new Set(behind));
      expect(await indicesOf(client, alias)).toEqual(behind);
    });

    it('applies the strict mapping and analysis settings', async () => {
      const { indexer } = setup('mapping');
      const { index } = await indexer.ensureIndex();
      const mapping = await client.indices.getMapping({ index });
      expect(mapping[index].mappings.dynamic).toBe('strict');
      expect(mapping[index].mappings.properties?.price).toEqual({ type: 'double' });
      const settings = await client.indices.getSettings({ index });
      // The default layout: no replica on one node, one on a cluster (see the next test).
      const { number_of_nodes: nodes } = await client.cluster.health();
      expect(settings[index].settings?.index?.number_of_replicas).toBe(nodes > 1 ? '1' : '0');
    });

    it('creates the index with the configured shards and, on auto, replicas for the cluster size', async () => {
      const { indexer } = setup('layout', { shards: 2 });
      const { index } = await indexer.ensureIndex();
      const settings = (await client.indices.getSettings({ index }))[index].settings?.index;
      const { number_of_nodes: nodes } = await client.cluster.health();
      expect(settings?.number_of_shards).toBe('2');
      // One node (the default stack): no replica; a cluster (npm run test:cluster): one.
      expect(settings?.number_of_replicas).toBe(nodes > 1 ? '1' : '0');
    });

    it('a reindex builds its index with the configured replica count', async () => {
      const { indexer } = setup('replicas', { replicas: 2 });
      const { index } = await indexer.reindex([PRODUCT_FIXTURES]);
      const settings = (await client.indices.getSettings({ index }))[index].settings?.index;
      expect(settings?.number_of_shards).toBe('1');
      expect(settings?.number_of_replicas).toBe('2');
      expect(settings?.refresh_interval).toBe('1s');
    });

    it('refuses writes before the alias exists instead of auto-creating an index', async () => {
      const { alias, indexer } = setup('early');
      await expect(indexer.upsert(PRODUCT_FIXTURES.slice(0, 1))).rejects.toBeInstanceOf(
        BulkIndexingError,
      );
      expect(await client.indices.exists({ index: alias })).toBe(false);
    });
  });

  describe('writes through the alias', () => {
    const { indexer, search } = setup('writes');

    beforeAll(async () => {
      await indexer.ensureIndex();
      await indexer.upsert(PRODUCT_FIXTURES);
    });

    it('an upsert is searchable as soon as it returns (refresh wait_for)', async () => {
      await indexer.upsert([
        { ...PRODUCT_FIXTURES[0], id: 100, sku: 'VEST-1', name: 'Quilted Vest', price: 75 },
      ]);
      const result = await search.search({ ...browse, q: 'quilted vest' });
      expect(result.items.map((item) => item.id)).toEqual([100]);
    });

    it('an upsert replaces the whole document', async () => {
      await indexer.upsert([{ ...PRODUCT_FIXTURES[1], price: 199.5, name: 'Wool Blazer Sale' }]);
      const stored = await search.getById(2);
      expect(stored).toMatchObject({ price: 199.5, name: 'Wool Blazer Sale' });
      const hits = await search.search({ ...browse, maxPrice: 199.5, minPrice: 199.5 });
      expect(hits.items.map((item) => item.id)).toEqual([2]);
    });

    it('remove deletes, and unknown ids are not an error', async () => {
      await indexer.upsert([{ ...PRODUCT_FIXTURES[0], id: 101, sku: 'TMP-1', name: 'Temporary' }]);
      await indexer.remove([101, 987_654]);
      expect(await search.getById(101)).toBeNull();
      expect((await search.search({ ...browse, q: 'temporary' })).total).toBe(0);
    });

    it('setInStock changes only inStock, and reports unknown products', async () => {
      const before = await search.getById(5);
      expect(await indexer.setInStock(5, false)).toBe(true);
      expect(await search.getById(5)).toEqual({ ...before, inStock: false });
      expect((await search.search({ ...browse, inStock: false })).items.map((i) => i.id)).toContain(
        5,
      );
      expect(await indexer.setInStock(5, false)).toBe(true); // no change: a no-op, still found
      expect(await indexer.setInStock(987_654, true)).toBe(false);
      expect(await search.getById(987_654)).toBeNull(); // not created by the partial update
      expect(await indexer.setInStock(5, true)).toBe(true);
    });

    it('setInStockMany counts the products it found', async () => {
      const count = await indexer.setInStockMany([
        { id: 3, inStock: true },
        { id: 6, inStock: true },
        { id: 987_655, inStock: true },
      ]);
      expect(count).toBe(2);
      expect((await search.getById(3))?.inStock).toBe(true);
      await indexer.setInStockMany([
        { id: 3, inStock: false },
        { id: 6, inStock: false },
      ]);
    });

    it('a refused document fails the call with the reason, naming the document', async () => {
      const bad = { ...PRODUCT_FIXTURES[0], id: 102, price: 'cheap' as unknown as number };
      const failure = await indexer.upsert([bad]).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(BulkIndexingError);
      const error = failure as BulkIndexingError;
      expect(error.failedCount).toBe(1);
      expect(error.transient).toBe(false);
      expect(error.firstFailure).toMatchObject({ id: '102', status: 400 });
      expect(error.message).toContain('price');
    });

    it('iterates every document in id order, in batches', async () => {
      const batches: ProductDocument[][] = [];
      for await (const batch of indexer.iterateDocuments(4)) batches.push(batch);
      const all = batches.flat();
      expect(batches.slice(0, -1).every((batch) => batch.length === 4)).toBe(true);
      expect(all.map((doc) => doc.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 100]);
      expect(all[0]).toEqual(PRODUCT_FIXTURES[0]);
    });
  });

  describe('reindex', () => {
    it('swaps to a new index while another task searches continuously: no failed search', async () => {
      const { alias, indexer, search } = setup('reindex');
      await indexer.ensureIndex();
      await indexer.upsert(PRODUCT_FIXTURES);
      const oldIndices = await indexer.indicesBehindAlias();

      // The searcher runs flat out; the source waits for it between batches, so searches are
      // guaranteed to interleave with every step of the load and with the swap.
      let stop = false;
      let completed = 0;
      const failures: unknown[] = [];
      const totalsSeen = new Set<number>();
      let wake: (() => void) | undefined;
      const searchesFrom = (target: number): Promise<void> =>
        new Promise((resolve) => {
          const check = (): void => {
            if (completed >= target) resolve();
            else wake = check;
          };
          check();
        });
      const searcher = (async () => {
        while (!stop) {
          try {
            const result = await search.search({ ...browse, size: 10, sort: 'price_asc' });
            totalsSeen.add(result.total);
            await search.getById(1);
          } catch (error) {
            failures.push(error);
          }
          completed += 1;
          wake?.();
        }
      })();

      const catalog = [
        ...PRODUCT_FIXTURES,
        ...Array.from({ length: 1989 }, (_, i) => generatedProduct(1000 + i)),
      ];
      async function* batches(): AsyncGenerator<ProductDocument[]> {
        for (let start = 0; start < catalog.length; start += 250) {
          await searchesFrom(completed + 2);
          yield catalog.slice(start, start + 250);
        }
        await searchesFrom(completed + 2);
      }

      const result = await indexer.reindex(batches());
      await searchesFrom(completed + 5);
      stop = true;
      await searcher;

      expect(failures).toEqual([]);
      // Before the swap every search saw the old 11, after it the new 2000; never a half-loaded
      // or empty index.
      expect([...totalsSeen].sort((a, b) => a - b)).toEqual([11, 2000]);
      expect(result.documents).toBe(2000);
      expect(result.previousIndices).toEqual(oldIndices);
      expect(await indexer.indicesBehindAlias()).toEqual([result.index]);
      expect(await indicesOf(client, alias)).toEqual([result.index]);
      // The loaded index is back to refreshing every second.
      const settings = await client.indices.getSettings({ index: result.index });
      expect(settings[result.index].settings?.index?.refresh_interval).toBe('1s');
      expect((await search.search({ ...browse, q: 'blazr' })).items.map((i) => i.id)).toContain(1);
    });

    it('a failing source leaves the alias on the old index and drops the half-built one', async () => {
      const { alias, indexer, search } = setup('reindexfail');
      await indexer.ensureIndex();
      await indexer.upsert(PRODUCT_FIXTURES);
      const oldIndices = await indexer.indicesBehindAlias();

      async function* failing(): AsyncGenerator<ProductDocument[]> {
        yield PRODUCT_FIXTURES.slice(0, 3);
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('MySQL went away');
      }
      await expect(indexer.reindex(failing())).rejects.toThrow('MySQL went away');
      expect(await indexer.indicesBehindAlias()).toEqual(oldIndices);
      expect(await indicesOf(client, alias)).toEqual(oldIndices);
      expect((await search.search(browse)).total).toBe(11);
    });

    it('a refused document aborts the reindex the same way', async () => {
      const { alias, indexer } = setup('reindexbad');
      await indexer.ensureIndex();
      const oldIndices = await indexer.indicesBehindAlias();
      const bad = [{ ...PRODUCT_FIXTURES[0], price: 'n/a' as unknown as number }];
      await expect(indexer.reindex([PRODUCT_FIXTURES, bad])).rejects.toBeInstanceOf(
        BulkIndexingError,
      );
      expect(await indicesOf(client, alias)).toEqual(oldIndices);
    });

    it('creates the alias when there was none, and replaces a concrete index squatting its name', async () => {
      const { alias, indexer, search } = setup('squat');
      // What an early write without require_alias would have done.
      await client.indices.create({ index: alias });
      await expect(indexer.ensureIndex()).rejects.toThrow(/concrete index, not an alias/);
      const result = await indexer.reindex([PRODUCT_FIXTURES]);
      expect(result.previousIndices).toEqual([]);
      expect(await indexer.indicesBehindAlias()).toEqual([result.index]);
      expect((await search.search(browse)).total).toBe(11);
    });
  });
});

describe('ElasticsearchModule', () => {
  it('wires the client from ShopConfig, the alias, search, indexer (with its shards) and health', async () => {
    const alias = uniqueTestAlias('module');
    // SHOP_CONFIG from a fixed environment rather than ShopConfigModule, so this test reads
    // neither the machine's environment nor .env.
    @Global()
    @Module({
      providers: [
        {
          provide: SHOP_CONFIG,
          useValue: parseShopConfig({
            ELASTICSEARCH_URL: ELASTICSEARCH_TEST_NODES.join(','),
            PRODUCTS_INDEX_ALIAS: alias,
            ELASTICSEARCH_SHARDS: '2',
          }),
        },
      ],
      exports: [SHOP_CONFIG],
    })
    class TestConfigModule {}

    const app = await (
      await Test.createTestingModule({ imports: [TestConfigModule, ElasticsearchModule] }).compile()
    ).init();
    const client = createElasticsearchClient(ELASTICSEARCH_TEST_NODES);
    try {
      expect(app.get(PRODUCTS_INDEX_ALIAS)).toBe(alias);
      const { index } = await app.get(ProductIndexer).ensureIndex();
      const settings = (await client.indices.getSettings({ index }))[index].settings?.index;
      expect(settings?.number_of_shards).toBe('2');
      await app.get(ProductIndexer).upsert(PRODUCT_FIXTURES);
      expect((await app.get(ProductSearch).search(browse)).total).toBe(11);
      expect((await app.get(SearchHealth).check()).up).toBe(true);
    } finally {
      await app.close();
      await deleteTestIndices(client, alias);
      await client.close();
    }
  });
});
