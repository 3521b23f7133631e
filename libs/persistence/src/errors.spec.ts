import { isDuplicateKeyError } from './errors';

function mysqlError(errno: number, sqlMessage: string): Error {
  return Object.assign(new Error(sqlMessage), { code: 'ER_DUP_ENTRY', errno, sqlMessage });
}

describe('isDuplicateKeyError', () => {
  it('recognises the key as MariaDB names it', () => {
    const error = mysqlError(1062, "Duplicate entry 'SKU-1' for key 'uq_products_sku'");
    expect(isDuplicateKeyError(error, 'uq_products_sku')).toBe(true);
  });

  it('recognises the key as MySQL 8 names it', () => {
    const error = mysqlError(1062, "Duplicate entry 'SKU-1' for key 'products.uq_products_sku'");
    expect(isDuplicateKeyError(error, 'uq_products_sku')).toBe(true);
  });

  it('ignores other keys and other errors', () => {
    expect(
      isDuplicateKeyError(
        mysqlError(1062, "Duplicate entry '1' for key 'PRIMARY'"),
        'uq_products_sku',
      ),
    ).toBe(false);
    expect(isDuplicateKeyError(new Error('boom'), 'uq_products_sku')).toBe(false);
    expect(isDuplicateKeyError(mysqlError(1452, 'fk'), 'uq_products_sku')).toBe(false);
  });
});
