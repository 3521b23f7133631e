import { z } from 'zod';

export const JSON_OBJECT_MESSAGE = 'the body must be a JSON object';

/**
 * A request body's schema: exactly these fields (an unknown one is refused, a typo such as
 * `"qty"` must not pass as a request that changes nothing), and a clear message when the body is
 * not an object at all.
 */
export function jsonBody<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : JSON_OBJECT_MESSAGE),
  });
}

/**
 * One message per wrong field, first problem only, in the order zod found them, joined with
 * `; `. A nested field's message is prefixed with its object (`shippingAddress.`); an unknown
 * field is named as such (`property qty should not exist`, the words the class-validator DTOs
 * answer).
 */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  const seen = new Set<string>();
  const messages: string[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String);
    const field = path.join('.');
    if (seen.has(field)) continue;
    seen.add(field);
    const prefix = path.length > 1 ? `${path.slice(0, -1).join('.')}.` : '';
    if (issue.code === 'unrecognized_keys') {
      const within = path.length > 0 ? `${field}.` : '';
      messages.push(...issue.keys.map((key) => `${within}property ${key} should not exist`));
    } else {
      messages.push(`${prefix}${issue.message}`);
    }
  }
  return messages.join('; ');
}

/**
 * `raw` checked against `schema`.
 * @throws what `refuse` makes of the issues' message (a 400 of the caller's lib)
 */
export function parseJsonBody<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  refuse: (message: string) => Error,
): T {
  const result = schema.safeParse(raw);
  if (!result.success) throw refuse(describeZodIssues(result.error.issues));
  return result.data;
}
