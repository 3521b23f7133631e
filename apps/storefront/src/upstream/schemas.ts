import { CategoryNode } from '@shop/contracts';
import { z } from 'zod';

// The parts of the peers' answers the storefront reads (libs/contracts has the full types).
// Parsing at the boundary keeps a peer's contract slip out of the templates.

export const productSchema = z.object({
  id: z.number().int(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  price: z.number(),
  categories: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const searchItemSchema = z.object({
  id: z.number().int(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  price: z.number(),
  categories: z.array(z.string()),
  inStock: z.boolean(),
});

const nullableNumber = z.number().nullable();

export const productSearchResultSchema = z.object({
  items: z.array(searchItemSchema),
  total: z.number().int().min(0),
  page: z.number().int(),
  size: z.number().int(),
  aggregations: z.object({
    avgPrice: nullableNumber,
    minPrice: nullableNumber,
    maxPrice: nullableNumber,
    categories: z.array(z.object({ key: z.string(), count: z.number().int() })),
    priceRanges: z.array(
      z.object({ from: nullableNumber, to: nullableNumber, count: z.number().int() }),
    ),
  }),
});

const categoryNodeSchema: z.ZodType<CategoryNode> = z.lazy(() =>
  z.object({
    slug: z.string(),
    name: z.string(),
    children: z.array(categoryNodeSchema),
  }),
);

/** `GET /categories`: the menu tree, roots first. */
export const categoryTreeSchema = z.array(categoryNodeSchema);

export const stockLevelSchema = z.object({
  id: z.number().int(),
  stock: z.number().int(),
  version: z.number().int(),
  updatedAt: z.string().optional(),
});
