import {
  DatabaseUnavailableError,
  isDatabaseUnavailable,
  isDuplicateKeyError,
  orDatabaseUnavailable,
} from './errors';

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

describe('MySQL unavailable', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), {
    code: 'ECONNREFUSED',
    errno: -111,
    fatal: true,
  });

  it('recognises connection failures, not refused statements', () => {
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable({ code: 'PROTOCOL_CONNECTION_LOST' })).toBe(true);
    expect(isDatabaseUnavailable({ code: 'ER_CON_COUNT_ERROR', errno: 1040 })).toBe(true);
    expect(isDatabaseUnavailable(mysqlError(1062, 'Duplicate entry'))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it('names MySQL to clients and keeps the driver error as the cause', async () => {
    const failure = orDatabaseUnavailable(() => Promise.reject(refused));
    await expect(failure).rejects.toThrow(DatabaseUnavailableError);
    const error = (await failure.catch((caught: unknown) => caught)) as Error;
    expect(error.message).toMatch(/^MySQL is unavailable/);
    expect(error.message).not.toMatch(/ECONNREFUSED|3306/);
    expect(error.cause).toBe(refused);
  });

  it('passes other errors and results through', async () => {
    const duplicate = mysqlError(1062, 'Duplicate entry');
    await expect(orDatabaseUnavailable(() => Promise.reject(duplicate))).rejects.toBe(duplicate);
    await expect(orDatabaseUnavailable(() => Promise.resolve(7))).resolves.toBe(7);
  });
});
