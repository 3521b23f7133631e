import type { Product, ProductDocument } from '@shop/contracts';
import { toProductDocument } from './product-document';

const product: ProductDocument = {
  id: 7,
  sku: 'LB-1',
  name: 'Linen Blazer',
  description: 'Light summer blazer',
  price: 149.9,
  regularPrice: 149.9,
  salePrice: null,
  saleStartsAt: null,
  saleEndsAt: null,
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

  describe('prices', () => {
    const at = Date.parse('2026-12-01T10:00:00Z');
    const catalog: Product = {
      id: 7,
      sku: 'LB-1',
      name: 'Linen Blazer',
      description: 'Light summer blazer',
      price: 100,
      categories: ['jackets'],
      createdAt: '2025-03-14T09:30:15.000Z',
      updatedAt: '2025-03-14T09:30:15.000Z',
    };
    const sale = (startsAt: string | null, endsAt: string | null): Product => ({
      ...catalog,
      sale: { price: 80, startsAt, endsAt },
    });

    it('has price = regular price without a sale', () => {
      expect(toProductDocument(catalog, 1, at)).toMatchObject({
        price: 100,
        regularPrice: 100,
        salePrice: null,
      });
    });

    it('has price = sale price while the sale runs', () => {
      const document = toProductDocument(
        sale('2026-12-01T09:00:00Z', '2026-12-01T11:00:00Z'),
        1,
        at,
      );
      expect(document).toMatchObject({
        price: 80,
        regularPrice: 100,
        salePrice: 80,
        saleEndsAt: '2026-12-01T11:00:00Z',
      });
      expect(toProductDocument(sale(null, null), 1, at).price).toBe(80);
    });

    it('shows a sale that has not started, at the regular price', () => {
      expect(toProductDocument(sale('2026-12-01T10:00:01Z', null), 1, at)).toMatchObject({
        price: 100,
        salePrice: 80,
      });
      // The start itself belongs to the sale.
      expect(toProductDocument(sale('2026-12-01T10:00:00Z', null), 1, at).price).toBe(80);
    });

    it('drops a sale that has ended (the end itself is after it)', () => {
      expect(toProductDocument(sale(null, '2026-12-01T10:00:00Z'), 1, at)).toMatchObject({
        price: 100,
        salePrice: null,
        saleEndsAt: null,
      });
    });

    it('takes the price of a document without a sale as it is', () => {
      const document = toProductDocument(catalog, 1, at);
      expect(toProductDocument({ ...document, price: 95 }, true, at)).toMatchObject({
        price: 95,
        regularPrice: 95,
      });
    });

    it('recomputes a document written again, at the new time', () => {
      const running = toProductDocument(sale(null, '2026-12-01T10:30:00Z'), 1, at);
      expect(toProductDocument(running, true, at + 60 * 60 * 1000)).toMatchObject({
        price: 100,
        regularPrice: 100,
        salePrice: null,
      });
    });
  });
});
