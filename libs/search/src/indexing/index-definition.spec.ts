import type { ProductDocument } from '@shop/contracts';
import {
  indexReplicasFor,
  isVersionedIndexOf,
  PRODUCT_DOCUMENT_FIELDS,
  PRODUCT_INDEX_MAPPINGS,
  PRODUCT_INDEX_SETTINGS,
  versionedIndexName,
} from './index-definition';

describe('versionedIndexName', () => {
  it('names the index after the alias and the UTC time to the millisecond', () => {
    expect(versionedIndexName('products', new Date('2025-03-04T09:08:07.006Z'))).toBe(
      'products_v20250304090807006',
    );
  });

  it('sorts by creation time', () => {
    const older = versionedIndexName('products', new Date('2025-12-31T23:59:59.999Z'));
    const newer = versionedIndexName('products', new Date('2026-01-01T00:00:00.000Z'));
    expect([newer, older].sort()).toEqual([older, newer]);
  });

  it('recognises its own names only', () => {
    const name = versionedIndexName('products', new Date());
    expect(isVersionedIndexOf('products', name)).toBe(true);
    expect(isVersionedIndexOf('products', 'products')).toBe(false);
    expect(isVersionedIndexOf('products', 'products_vx')).toBe(false);
    expect(isVersionedIndexOf('prod', name)).toBe(false);
  });
});

describe('product index definition', () => {
  it('maps exactly the fields of a ProductDocument, strictly', () => {
    const documentFields: Record<keyof ProductDocument, true> = {
      id: true,
      sku: true,
      name: true,
      description: true,
      price: true,
      regularPrice: true,
      salePrice: true,
      saleStartsAt: true,
      saleEndsAt: true,
      categories: true,
      inStock: true,
      createdAt: true,
      updatedAt: true,
    };
    expect([...PRODUCT_DOCUMENT_FIELDS].sort()).toEqual(Object.keys(documentFields).sort());
    expect(PRODUCT_INDEX_MAPPINGS.dynamic).toBe('strict');
  });

  it('analyses full text in English with keyword and autocomplete sub-fields on the name', () => {
    const { name, description } = PRODUCT_INDEX_MAPPINGS.properties;
    expect(name.analyzer).toBe('english');
    expect(description.analyzer).toBe('english');
    expect(name.fields.keyword.type).toBe('keyword');
    expect(name.fields.autocomplete).toEqual({
      type: 'text',
      analyzer: 'autocomplete',
      search_analyzer: 'autocomplete_search',
    });
  });

  it('defines every analyzer and filter it refers to', () => {
    const { analyzer, filter } = PRODUCT_INDEX_SETTINGS.analysis;
    expect(analyzer.autocomplete.filter).toEqual(['lowercase', 'autocomplete_edge_ngram']);
    expect(analyzer.autocomplete_search.filter).toEqual(['lowercase']);
    expect(filter.autocomplete_edge_ngram).toEqual({
      type: 'edge_ngram',
      min_gram: 2,
      max_gram: 15,
    });
  });

  it('uses nothing the stripped 8.19 server lacks', () => {
    const text = JSON.stringify({ PRODUCT_INDEX_SETTINGS, PRODUCT_INDEX_MAPPINGS });
    for (const missing of [
      '"search_as_you_type"',
      '"scaled_float"',
      '"script"',
      '"synonym"',
      '"stemmer"',
    ]) {
      expect(text).not.toContain(missing);
    }
  });

  it('leaves shards and replicas to the configuration', () => {
    expect(PRODUCT_INDEX_SETTINGS).not.toHaveProperty('number_of_shards');
    expect(PRODUCT_INDEX_SETTINGS).not.toHaveProperty('number_of_replicas');
  });
});

describe('indexReplicasFor', () => {
  it('auto: no replica on a single node, one when the cluster has more nodes', () => {
    expect(indexReplicasFor('auto', 1)).toBe(0);
    expect(indexReplicasFor('auto', 2)).toBe(1);
    expect(indexReplicasFor('auto', 3)).toBe(1);
  });

  it('a number is taken as it is, whatever the cluster', () => {
    expect(indexReplicasFor(0, 3)).toBe(0);
    expect(indexReplicasFor(2, 1)).toBe(2);
  });
});
