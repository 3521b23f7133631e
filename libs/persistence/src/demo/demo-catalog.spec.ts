import { buildCategoryTree } from '../categories/category-tree';
import { DEMO_PRODUCT_COUNT, DEMO_SEED, generateDemoCatalog } from './demo-catalog';
import { mulberry32 } from './prng';

describe('mulberry32', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const next = mulberry32(seed);
      return Array.from({ length: 5 }, () => next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    for (const value of draw(7)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});

describe('generateDemoCatalog', () => {
  const catalog = generateDemoCatalog(DEMO_SEED, DEMO_PRODUCT_COUNT);

  it('makes the same shop from the same seed', () => {
    expect(generateDemoCatalog(DEMO_SEED, DEMO_PRODUCT_COUNT)).toEqual(catalog);
    expect(generateDemoCatalog(DEMO_SEED + 1, DEMO_PRODUCT_COUNT).products).not.toEqual(
      catalog.products,
    );
  });

  it('has at least 12 categories as a two-level tree', () => {
    expect(catalog.categories.length).toBeGreaterThanOrEqual(12);
    const tree = buildCategoryTree(catalog.categories.map((category, id) => ({ id, ...category })));
    expect(tree.length).toBeGreaterThanOrEqual(5);
    for (const top of tree) {
      expect(top.children.length).toBeGreaterThan(0);
      for (const child of top.children) expect(child.children).toEqual([]);
    }
    expect(new Set(catalog.categories.map((category) => category.slug)).size).toBe(
      catalog.categories.length,
    );
    expect(catalog.categories.map((category) => category.slug)).toContain('women-blazers');
  });

  it('has at least 1,200 products with unique ids and SKUs', () => {
    expect(catalog.products).toHaveLength(DEMO_PRODUCT_COUNT);
    expect(DEMO_PRODUCT_COUNT).toBeGreaterThanOrEqual(1200);
    expect(new Set(catalog.products.map((product) => product.sku)).size).toBe(DEMO_PRODUCT_COUNT);
    expect(catalog.products.map((product) => product.id)).toEqual(
      Array.from({ length: DEMO_PRODUCT_COUNT }, (_, index) => index + 1),
    );
    expect(catalog.products[122]?.sku).toBe('SKU-000123');
  });

  it('includes a product literally named "Linen Blazer" among blazers', () => {
    const blazer = catalog.products.find((product) => product.name === 'Linen Blazer');
    expect(blazer?.categories).toContain('women-blazers');
    expect(blazer?.description.toLowerCase()).toContain('linen blazer');
  });

  it('prices between 5 and 500 ending in .99 or .49', () => {
    for (const { price } of catalog.products) {
      expect(price).toBeGreaterThanOrEqual(5);
      expect(price).toBeLessThanOrEqual(500);
      expect(['99', '49']).toContain(price.toFixed(2).slice(-2));
      expect(Number(price.toFixed(2))).toBe(price);
    }
  });

  it('puts each product in one or two known leaf categories', () => {
    const leaves = new Set(
      catalog.categories.filter((category) => category.parentSlug).map((category) => category.slug),
    );
    for (const product of catalog.products) {
      expect(product.categories.length).toBeGreaterThanOrEqual(1);
      expect(product.categories.length).toBeLessThanOrEqual(2);
      for (const slug of product.categories) expect(leaves.has(slug)).toBe(true);
    }
    expect(catalog.products.some((product) => product.categories.length === 2)).toBe(true);
  });

  it('gives stock to most products and none to some', () => {
    const soldOut = catalog.products.filter((product) => product.stock === 0).length;
    expect(soldOut).toBeGreaterThan(0);
    expect(soldOut).toBeLessThan(DEMO_PRODUCT_COUNT / 4);
    for (const { stock } of catalog.products) expect(Number.isInteger(stock)).toBe(true);
  });

  it('names and describes products realistically and mostly uniquely', () => {
    const names = catalog.products.map((product) => product.name);
    expect(new Set(names).size).toBeGreaterThan(DEMO_PRODUCT_COUNT * 0.95);
    for (const product of catalog.products) {
      expect(product.name).toMatch(/^[A-Z][A-Za-z -]+$/);
      expect(product.description.split('. ').length).toBeGreaterThanOrEqual(3);
      expect(Number.isNaN(Date.parse(product.createdAt))).toBe(false);
    }
  });
});
