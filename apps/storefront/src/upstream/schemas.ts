import {
  BACK_IN_STOCK_STATUSES,
  CategoryNode,
  OPAQUE_ID_PATTERN,
  ORDER_STATUSES,
  shippingAddressSchema,
} from '@shop/contracts';
import { z } from 'zod';

// The parts of the peers' answers the storefront reads (libs/contracts has the full types).
// Parsing at the boundary keeps a peer's contract slip out of the templates.

export const productSchema = z.object({
  id: z.number().int(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  price: z.number(),
  // Live prices: absent on documents written before them.
  regularPrice: z.number().optional(),
  salePrice: z.number().nullish(),
  saleEndsAt: z.string().nullish(),
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
  regularPrice: z.number().optional(),
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
    categories: z.array(
      z.object({
        key: z.string(),
        label: z.string(),
        count: z.number().int(),
        selected: z.boolean(),
      }),
    ),
    priceRanges: z.array(
      z.object({
        key: z.string(),
        from: nullableNumber,
        to: nullableNumber,
        count: z.number().int(),
        selected: z.boolean(),
      }),
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

const moneySchema = z.number().min(0);
const totalsSchema = z.object({
  quantity: z.number().int().min(0),
  subtotal: moneySchema,
  total: moneySchema,
});
const lineSchema = z.object({
  productId: z.number().int(),
  name: z.string(),
  unitPrice: moneySchema,
  quantity: z.number().int(),
  lineTotal: moneySchema,
});

/** `GET /carts/:id` and every cart answer of the cart API. */
export const cartSchema = z.object({
  id: z.string().regex(OPAQUE_ID_PATTERN),
  status: z.enum(['open', 'expired', 'ordered']),
  items: z.array(lineSchema),
  totals: totalsSchema,
  expiresAt: z.string(),
  orderId: z.string().regex(OPAQUE_ID_PATTERN).optional(),
});

/** `POST /carts/:id/checkout` (202). */
export const checkoutAcceptedSchema = z.object({
  orderId: z.string().regex(OPAQUE_ID_PATTERN),
  status: z.enum(ORDER_STATUSES),
});

/** `GET /orders/:id`. */
export const orderSchema = z.object({
  id: z.string().regex(OPAQUE_ID_PATTERN),
  status: z.enum(ORDER_STATUSES),
  email: z.string(),
  shippingAddress: shippingAddressSchema,
  lines: z.array(lineSchema),
  totals: totalsSchema,
  placedAt: z.string(),
});

/** `POST /notifications/back-in-stock` (201 new, 200 the same address already waits). */
export const backInStockSubscriptionSchema = z.object({
  id: z.number().int(),
  productId: z.number().int(),
  status: z.enum(BACK_IN_STOCK_STATUSES),
});
