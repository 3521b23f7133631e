import type { ProductDocument } from '@shop/contracts';
import { toProductDocument } from './product-document';

const product: ProductDocument = {
  id: 7,
  sku: 'LB-1',
  name: 'Linen Blazer',
  description: 'Light summer blazer',
  price: 149.9,
  categories: ['jackets'],
  inStock: true,
  createdAt: '2025-03-14T09:30:15.000Z',
  updatedAt: '2025-03-14T09:30:15.000Z',
};

describe('toProductDocument', () => {
  it('keeps only mapped fields, so a wider row does not break the strict mapping', () => {
    const row = { ...product, version: 3, stock: 12 } as ProductDocument;
    expect(Object.keys(toProductDocument(row, row.inStock)).sort()).toEqual(
      Object.keys(product).sort(),
    );
  });

  it('normalises MySQL DATETIME strings (UTC) and Dates to ISO 8601', () => {
    const row = {
      ...product,
      createdAt: '2025-03-14 09:30:15',
      updatedAt: new Date('2025-03-15T10:00:00Z') as unknown as string,
    };
    const document = toProductDocument(row, row.inStock);
    expect(document.createdAt).toBe('2025-03-14T09:30:15.000Z');
    expect(document.updatedAt).toBe('2025-03-15T10:00:00.000Z');
  });

  it('refuses a date it cannot read, naming the product and field', () => {
    expect(() => toProductDocument({ ...product, createdAt: 'yesterday' }, true)).toThrow(
      'product 7: createdAt is not a date: yesterday',
    );
  });

  it('copies categories so later mutation of the input does not leak in', () => {
    const input = { ...product, categories: ['a'] };
    const document = toProductDocument(input, input.inStock);
    input.categories.push('b');
    expect(document.categories).toEqual(['a']);
  });

  it('is in stock when any unit is on hand', () => {
    expect(toProductDocument(product, 3).inStock).toBe(true);
    expect(toProductDocument(product, 0).inStock).toBe(false);
    expect(toProductDocument(product, false).inStock).toBe(false);
  });
});
