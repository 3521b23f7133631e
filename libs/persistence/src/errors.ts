/** A product write named a SKU that another product already has (HTTP 409). */
export class DuplicateSkuError extends Error {
  constructor(readonly sku: string) {
    super(`a product with SKU ${sku} already exists`);
    this.name = 'DuplicateSkuError';
  }
}

/** A product write named category slugs that do not exist (HTTP 400). */
export class UnknownCategoryError extends Error {
  constructor(readonly slugs: string[]) {
    super(`unknown ${slugs.length === 1 ? 'category' : 'categories'}: ${slugs.join(', ')}`);
    this.name = 'UnknownCategoryError';
  }
}

/** A product write named a product id that does not exist (HTTP 404). */
export class ProductNotFoundError extends Error {
  constructor(readonly productId: number) {
    super(`product ${productId} not found`);
    this.name = 'ProductNotFoundError';
  }
}

interface MysqlErrorShape {
  code: string;
  errno: number;
  sqlMessage?: string;
}

function isMysqlError(error: unknown): error is MysqlErrorShape {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { errno?: unknown }).errno === 'number'
  );
}

/**
 * True for ER_DUP_ENTRY on the named unique key. MySQL 8 reports the key as `table.key`,
 * MariaDB as `key`; both quote it last in the message.
 */
export function isDuplicateKeyError(error: unknown, keyName: string): boolean {
  if (!isMysqlError(error) || error.errno !== 1062) return false;
  const message = error.sqlMessage ?? '';
  return new RegExp(`for key '(?:[^'.]+\\.)?${keyName}'`).test(message);
}
