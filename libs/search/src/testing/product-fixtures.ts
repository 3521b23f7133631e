import { Client } from '@elastic/elasticsearch';
import { parseShopConfig } from '@shop/config';
import type { ProductDocument } from '@shop/contracts';

/**
 * Eleven products whose facet figures are easy to work out by hand (see the int-specs).
 * Deliberate edge cases: two products named "Linen Blazer" (suggest dedupe), prices on range
 * boundaries (25.00, 50.00), two equal prices (89.50: ids 3 and 6) and two equal creation times
 * (ids 10 and 11) for the sort tiebreakers, and a description-only "blazer" (id 3).
 */
export const PRODUCT_FIXTURES: ProductDocument[] = [
  fixture(
    1,
    'LB-1',
    'Linen Blazer',
    'Light summer blazer in washed linen',
    149.9,
    ['jackets', 'summer'],
    true,
    1,
  ),
  fixture(
    2,
    'WB-1',
    'Wool Blazer',
    'Warm winter blazer in merino wool',
    219,
    ['jackets', 'winter'],
    true,
    2,
  ),
  fixture(
    3,
    'DJ-1',
    'Denim Jacket',
    'Casual jacket that pairs well with a blazer',
    89.5,
    ['jackets'],
    false,
    3,
  ),
  fixture(
    4,
    'TS-1',
    'Cotton T-Shirt',
    'Soft organic cotton tee',
    19.99,
    ['shirts', 'summer'],
    true,
    4,
  ),
  fixture(
    5,
    'LS-1',
    'Linen Shirt',
    'Breathable linen shirt for hot days',
    49,
    ['shirts', 'summer'],
    true,
    5,
  ),
  fixture(
    6,
    'OS-1',
    'Oxford Shirt',
    'Classic button-down oxford cloth',
    89.5,
    ['shirts'],
    false,
    6,
  ),
  fixture(
    7,
    'BT-1',
    'Leather Boots',
    'Waterproof leather boots',
    189,
    ['shoes', 'winter'],
    true,
    7,
  ),
  fixture(
    8,
    'SN-1',
    'Canvas Sneakers',
    'Lightweight canvas sneakers',
    25,
    ['shoes', 'summer'],
    true,
    8,
  ),
  fixture(
    9,
    'SC-1',
    'Wool Scarf',
    'Chunky knitted scarf',
    24.99,
    ['accessories', 'winter'],
    true,
    9,
  ),
  fixture(10, 'TI-1', 'Silk Tie', 'Hand-rolled silk tie', 50, ['accessories'], false, 10),
  fixture(11, 'LB-NAVY', 'Linen Blazer', 'Navy linen blazer, unlined', 159, ['jackets'], true, 10),
];

function fixture(
  id: number,
  sku: string,
  name: string,
  description: string,
  price: number,
  categories: string[],
  inStock: boolean,
  day: number,
): ProductDocument {
  const createdAt = new Date(Date.UTC(2025, 0, day, 12)).toISOString();
  return {
    id,
    sku,
    name,
    description,
    price,
    regularPrice: price,
    salePrice: null,
    saleStartsAt: null,
    saleEndsAt: null,
    categories,
    inStock,
    createdAt,
    updatedAt: createdAt,
  };
}

/** The nodes of ELASTICSEARCH_URL (one URL or a comma-separated list), parsed as the apps do. */
export const ELASTICSEARCH_TEST_NODES = parseShopConfig({
  ELASTICSEARCH_URL: process.env.ELASTICSEARCH_URL,
}).ELASTICSEARCH_URL;

/** A unique alias per test file and run, so parallel runs and other engineers never collide. */
export function uniqueTestAlias(label: string): string {
  return `products_test_${label}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Deletes every index made for `alias` (versioned ones and a concrete index squatting the name).
 * Names are resolved first: 8.x refuses wildcard deletes (`action.destructive_requires_name`).
 */
export async function deleteTestIndices(client: Client, alias: string): Promise<void> {
  const found = await client.indices.get({
    index: [`${alias}_v*`, alias],
    ignore_unavailable: true,
    allow_no_indices: true,
  });
  const names = Object.keys(found);
  if (names.length > 0) await client.indices.delete({ index: names, ignore_unavailable: true });
}

/** Concrete indices whose names start with `alias` (to prove nothing is left behind). */
export async function indicesOf(client: Client, alias: string): Promise<string[]> {
  const found = await client.indices.get({
    index: `${alias}_v*`,
    ignore_unavailable: true,
    allow_no_indices: true,
  });
  return Object.keys(found).sort();
}
