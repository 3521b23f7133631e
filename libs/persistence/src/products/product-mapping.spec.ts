import {
  deletedOutboxEvent,
  isUnchanged,
  mergePatch,
  ProductInput,
  roundPrice,
  toProduct,
  toProductRecord,
  uniqueSlugs,
  upsertedOutboxEvent,
} from './product-mapping';

const row = {
  id: 42,
  sku: 'SKU-000042',
  name: 'Linen Blazer',
  description: 'Breathable.',
  price: 129.99,
  version: 3,
  created_at: new Date('2025-01-02T03:04:05.678Z'),
  updated_at: new Date('2025-02-03T04:05:06.789Z'),
};

describe('product mapping', () => {
  it('maps a row and its slugs to a product record with ISO dates', () => {
    expect(toProductRecord(row, ['women-blazers'])).toEqual({
      id: 42,
      sku: 'SKU-000042',
      name: 'Linen Blazer',
      description: 'Breathable.',
      price: 129.99,
      sale: null,
      categories: ['women-blazers'],
      createdAt: '2025-01-02T03:04:05.678Z',
      updatedAt: '2025-02-03T04:05:06.789Z',
      version: 3,
      priceVersion: 0,
    });
  });

  it('maps a sale and its price version', () => {
    const record = toProductRecord(
      {
        ...row,
        sale_price: 99.5,
        sale_starts_at: new Date('2026-12-01T09:00:00.000Z'),
        sale_ends_at: null,
        price_version: 7,
      },
      [],
    );
    expect(record).toMatchObject({
      price: 129.99,
      sale: { price: 99.5, startsAt: '2026-12-01T09:00:00.000Z', endsAt: null },
      priceVersion: 7,
    });
    expect(toProduct(record)).not.toHaveProperty('priceVersion');
  });

  it('strips the version for the contract product', () => {
    const product = toProduct(toProductRecord(row, []));
    expect(product).not.toHaveProperty('version');
    expect(product.id).toBe(42);
  });

  it('rounds prices to cents as DECIMAL(12,2) does', () => {
    expect(roundPrice(19.994)).toBe(19.99);
    expect(roundPrice(19.995)).toBe(20);
    expect(roundPrice(5)).toBe(5);
  });

  it('drops repeated slugs keeping the first position', () => {
    expect(uniqueSlugs(['b', 'a', 'b', 'c', 'a'])).toEqual(['b', 'a', 'c']);
  });

  it('applies a patch over the current values', () => {
    const current: ProductInput = {
      sku: 'A',
      name: 'Name',
      description: 'Desc',
      price: 10,
      categories: ['x'],
    };
    expect(mergePatch(current, { price: 12.5 })).toEqual({ ...current, price: 12.5 });
    expect(mergePatch(current, { categories: [], description: '' })).toEqual({
      ...current,
      categories: [],
      description: '',
    });
  });

  it('builds outbox events that match the catalog contracts', () => {
    const at = new Date('2025-03-01T00:00:00.000Z');
    const record = toProductRecord(row, ['women-blazers']);
    expect(upsertedOutboxEvent(record, at)).toEqual({
      aggregateType: 'product',
      aggregateId: 42,
      eventType: 'product.upserted',
      payload: { product: toProduct(record), version: 3, occurredAt: '2025-03-01T00:00:00.000Z' },
    });
    expect(deletedOutboxEvent(42, 4, at)).toEqual({
      aggregateType: 'product',
      aggregateId: 42,
      eventType: 'product.deleted',
      payload: { id: 42, version: 4, occurredAt: '2025-03-01T00:00:00.000Z' },
    });
  });
});

describe('isUnchanged', () => {
  const stored = toProductRecord(row, ['women-blazers', 'women']);
  const same: ProductInput = {
    sku: stored.sku,
    name: stored.name,
    description: stored.description,
    price: stored.price,
    categories: [...stored.categories],
  };

  it('is true for the stored values, a price that rounds to the stored one, repeated slugs', () => {
    expect(isUnchanged(stored, same)).toBe(true);
    expect(isUnchanged(stored, { ...same, price: 129.991 })).toBe(true);
    expect(isUnchanged(stored, { ...same, categories: ['women-blazers', 'women', 'women'] })).toBe(
      true,
    );
  });

  it.each([
    ['sku', { sku: 'SKU-000043' }],
    ['name', { name: 'Linen Blazer ' }],
    ['description', { description: '' }],
    ['price', { price: 129.98 }],
    ['category order', { categories: ['women', 'women-blazers'] }],
    ['categories', { categories: ['women'] }],
  ])('is false when the %s differs', (_label, change) => {
    expect(isUnchanged(stored, { ...same, ...change })).toBe(false);
  });
});
