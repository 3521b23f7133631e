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

/** What a category admin write can name that does not exist. */
export type CategoryRole = 'category' | 'parent' | 'reassignTo';

/** A category write named a category (itself, its parent or `reassignTo`) that does not exist (HTTP 404). */
export class CategoryNotFoundError extends Error {
  constructor(
    readonly slug: string,
    readonly role: CategoryRole = 'category',
  ) {
    super(
      role === 'category'
        ? `category ${slug} not found`
        : role === 'parent'
          ? `parent category ${slug} not found`
          : `reassignTo category ${slug} not found`,
    );
    this.name = 'CategoryNotFoundError';
  }
}

/** A category create named a slug that another category already has (HTTP 409). */
export class DuplicateCategoryError extends Error {
  constructor(readonly slug: string) {
    super(`a category with slug ${slug} already exists`);
    this.name = 'DuplicateCategoryError';
  }
}

/**
 * A category write that would break the tree: a category under itself or its own descendant,
 * or products and children reassigned into the branch being deleted (HTTP 400).
 */
export class CategoryCycleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CategoryCycleError';
  }
}

/** A category delete while products or child categories remain, without `reassignTo` (HTTP 409). */
export class CategoryNotEmptyError extends Error {
  constructor(
    readonly slug: string,
    readonly products: number,
    readonly children: number,
  ) {
    const held = [
      ...(products > 0 ? [`${products} product${products === 1 ? '' : 's'}`] : []),
      ...(children > 0 ? [`${children} child categor${children === 1 ? 'y' : 'ies'}`] : []),
    ].join(' and ');
    super(
      `category ${slug} still holds ${held}: move them first or pass ?reassignTo=<slug> to move them with the delete`,
    );
    this.name = 'CategoryNotEmptyError';
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

/**
 * MySQL did not answer (down, restarting, out of connections): HTTP 503. The message names the
 * dependency and is safe for clients; mysql2's own error (addresses, codes) stays in `cause` for
 * the log.
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('MySQL is unavailable: the catalog cannot be read or changed; try again shortly', {
      cause,
    });
    this.name = 'DatabaseUnavailableError';
  }
}

/** Codes of a connection that could not be made or was lost; mysql2 marks those `fatal`. */
const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

/** ER_LOCK_DEADLOCK: MySQL rolled the transaction back; running it again is safe. */
export function isDeadlockError(error: unknown): boolean {
  return isMysqlError(error) && error.errno === 1213;
}

/** True when `error` says MySQL could not be reached, not that a statement was refused. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, fatal } = error as { code?: unknown; fatal?: unknown };
  return fatal === true || (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code));
}

/** Runs `work`, turning a lost or refused connection into DatabaseUnavailableError. */
export async function orDatabaseUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isDatabaseUnavailable(error) ? new DatabaseUnavailableError(error) : error;
  }
}
