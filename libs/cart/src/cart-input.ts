import { isEmail, isISO31661Alpha2 } from 'class-validator';
import { z } from 'zod';
import { jsonBody, parseJsonBody } from '@shop/common';
import { MAX_PRODUCT_ID } from '@shop/contracts';
import { InvalidCartRequestError } from './cart-errors';
import {
  FIRST_LINE_QUANTITY_MESSAGE,
  LINE_QUANTITY_MESSAGE,
  MAX_LINE_QUANTITY,
  type CartLineInput,
  type CheckoutInput,
} from './cart-model';

/*
 * The cart routes' bodies, checked in the lib with zod rather than by class-validator DTOs in the
 * app: the decorator path (class-transformer, then every decorator's metadata) cost a sale-day
 * checkout as much CPU as its Redis step. One message per wrong field, each naming it (nested
 * ones as `shippingAddress.city`), the same words the API has always answered; unknown fields
 * are refused, and nothing is coerced ("2" is not 2).
 */

const quantity = z
  .number({
    error: (issue) => (issue.input === undefined ? 'quantity is required' : LINE_QUANTITY_MESSAGE),
  })
  .int({ error: LINE_QUANTITY_MESSAGE })
  .min(0, { error: LINE_QUANTITY_MESSAGE })
  .max(MAX_LINE_QUANTITY, { error: LINE_QUANTITY_MESSAGE });

/** A required line of text: present, a string, not blank, at most `max` characters. */
function text(field: string, max: number) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined || issue.input === null
          ? `${field} is required`
          : `${field} must be a string`,
    })
    .min(1, { error: `${field} is required`, abort: true })
    .regex(/\S/, { error: `${field} must not be blank`, abort: true })
    .max(max, { error: `${field} must be at most ${max} characters` });
}

const COUNTRY_MESSAGE = 'country must be an ISO 3166-1 alpha-2 code such as GB';

const shippingAddress = z.strictObject(
  {
    name: text('name', 200),
    line1: text('line1', 200),
    line2: z
      .string({ error: 'line2 must be a string' })
      .max(200, { error: 'line2 must be at most 200 characters' })
      .optional(),
    city: text('city', 100),
    postcode: text('postcode', 20),
    country: z
      .string({
        error: (issue) =>
          issue.input === undefined || issue.input === null
            ? 'country is required'
            : COUNTRY_MESSAGE,
      })
      .regex(/^[A-Z]{2}$/, { error: COUNTRY_MESSAGE, abort: true })
      .refine(isISO31661Alpha2, { error: COUNTRY_MESSAGE }),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? undefined
        : issue.input === undefined || issue.input === null
          ? 'shippingAddress is required'
          : 'shippingAddress must be an object',
  },
);

const email = z
  .string({
    error: (issue) =>
      issue.input === undefined || issue.input === null
        ? 'email is required'
        : 'email must be a string',
  })
  .max(254, { error: 'email must be at most 254 characters', abort: true })
  .refine((value) => isEmail(value), { error: 'email must be an email address' });

const cartItemSchema = jsonBody({ quantity });

const PRODUCT_ID_MESSAGE = `productId must be a product id (an integer from 1 to ${MAX_PRODUCT_ID})`;

// A new cart's first line: a quantity of 0 would be no line at all.
const newCartSchema = jsonBody({
  productId: z
    .number({
      error: (issue) => (issue.input === undefined ? 'productId is required' : PRODUCT_ID_MESSAGE),
    })
    .int({ error: PRODUCT_ID_MESSAGE })
    .min(1, { error: PRODUCT_ID_MESSAGE })
    .max(MAX_PRODUCT_ID, { error: PRODUCT_ID_MESSAGE }),
  quantity: z
    .number({
      error: (issue) =>
        issue.input === undefined ? 'quantity is required' : FIRST_LINE_QUANTITY_MESSAGE,
    })
    .int({ error: FIRST_LINE_QUANTITY_MESSAGE })
    .min(1, { error: FIRST_LINE_QUANTITY_MESSAGE })
    .max(MAX_LINE_QUANTITY, { error: FIRST_LINE_QUANTITY_MESSAGE }),
});

const checkoutSchema = jsonBody({ email, shippingAddress });

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  return parseJsonBody(schema, raw, (message) => new InvalidCartRequestError(message));
}

/**
 * The quantity of `PUT /carts/:id/items/:productId`'s body `{ quantity }`.
 * @throws InvalidCartRequestError naming what is wrong
 */
export function parseCartItem(raw: unknown): number {
  return parse(cartItemSchema, raw).quantity;
}

/**
 * `POST /carts`'s optional body `{ productId, quantity }`: the new cart's first line, or null for
 * an empty cart (no body).
 * @throws InvalidCartRequestError naming every wrong field
 */
export function parseNewCart(raw: unknown): CartLineInput | null {
  if (raw === undefined) return null;
  return parse(newCartSchema, raw);
}

/**
 * `POST /carts/:id/checkout`'s body `{ email, shippingAddress }`.
 * @throws InvalidCartRequestError naming every wrong field
 */
export function parseCheckoutInput(raw: unknown): CheckoutInput {
  const body = parse(checkoutSchema, raw);
  const { line2, ...address } = body.shippingAddress;
  return {
    email: body.email,
    shippingAddress: line2 === undefined ? address : { ...address, line2 },
  };
}
