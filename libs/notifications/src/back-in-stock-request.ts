import { MAX_EMAIL_LENGTH, MAX_PRODUCT_ID, type BackInStockRequest } from '@shop/contracts';
import { jsonBody } from '@shop/common';
import { z } from 'zod';
import { InvalidBackInStockRequestError } from './back-in-stock-errors';

const PRODUCT_ID_MESSAGE = `productId must be a product id (an integer from 1 to ${MAX_PRODUCT_ID})`;
const EMAIL_MESSAGE = 'email must be an email address';

// A JSON number only: "12" or 12.0e0 spelled as text is another client's bug, not a product.
const productId = z
  .number({
    error: (issue) => (issue.input === undefined ? 'productId is required' : PRODUCT_ID_MESSAGE),
  })
  .int({ error: PRODUCT_ID_MESSAGE })
  .min(1, { error: PRODUCT_ID_MESSAGE })
  .max(MAX_PRODUCT_ID, { error: PRODUCT_ID_MESSAGE });

// Trimmed (a pasted address often carries a space), then at most the column's width, then the
// address itself: no display names, no lists, no spaces inside.
const email = z
  .string({
    error: (issue) => (issue.input === undefined ? 'email is required' : 'email must be a string'),
  })
  .trim()
  .min(1, { error: 'email is required' })
  .max(MAX_EMAIL_LENGTH, { error: `email must be at most ${MAX_EMAIL_LENGTH} characters` })
  .pipe(z.email({ error: EMAIL_MESSAGE }));

const requestSchema = jsonBody({ productId, email });

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field(s): ${issue.keys.join(', ')} (expected productId and email)`;
  }
  return issue.message;
}

/**
 * The body of `POST /notifications/back-in-stock`, validated: exactly `{ productId, email }`.
 * @throws InvalidBackInStockRequestError naming every field that is wrong
 */
export function parseBackInStockRequest(raw: unknown): BackInStockRequest {
  const result = requestSchema.safeParse(raw);
  if (!result.success) {
    throw new InvalidBackInStockRequestError(result.error.issues.map(describe).join('; '));
  }
  return { productId: result.data.productId, email: result.data.email };
}
