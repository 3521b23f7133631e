import { InvalidProductIdError, MAX_STOCK } from '@shop/contracts';
import {
  idempotencyFingerprint,
  MAX_IDS_PER_READ,
  parseProductIdList,
  parseStockChangeBody,
  validateIdempotencyKey,
  validateStockChange,
} from './stock-change';
import { InvalidStockRequestError } from './stock-errors';

/** What `parseStockChangeBody` refuses `body` with. */
function refusal(body: unknown): string {
  try {
    parseStockChangeBody(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStockRequestError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('parseStockChangeBody (PUT /products/:id/stock)', () => {
  it.each(['increment', 'decrement', 'set'] as const)(
    'accepts %s with an integer stock',
    (action) => {
      expect(parseStockChangeBody({ stock: 3, action })).toEqual({ action, amount: 3 });
    },
  );

  it('accepts the bounds 0 and MAX_STOCK', () => {
    expect(parseStockChangeBody({ stock: 0, action: 'set' }).amount).toBe(0);
    expect(parseStockChangeBody({ stock: MAX_STOCK, action: 'set' }).amount).toBe(MAX_STOCK);
  });

  it('refuses a field it does not declare, naming it', () => {
    expect(refusal({ stock: 3, action: 'set', warehouse: 'north' })).toBe(
      'property warehouse should not exist',
    );
  });

  it.each([
    [{ action: 'set' }, 'stock is required'],
    [{ stock: '5', action: 'set' }, 'stock must be an integer from 0 to 1000000000'],
    [{ stock: 1.5, action: 'set' }, 'stock must be an integer from 0 to 1000000000'],
    [{ stock: -1, action: 'set' }, 'stock must be an integer from 0 to 1000000000'],
    [{ stock: 1_000_000_001, action: 'set' }, 'stock must be an integer from 0 to 1000000000'],
    [{ stock: null, action: 'set' }, 'stock must be an integer from 0 to 1000000000'],
    [{ stock: 1 }, 'action is required'],
    [{ stock: 1, action: 'add' }, 'action must be one of increment, decrement, set'],
    [{ stock: 1, action: 5 }, 'action must be one of increment, decrement, set'],
    [{}, 'stock is required; action is required'],
  ])('refuses %j: %s', (body, message) => {
    expect(refusal(body)).toBe(message);
  });

  it.each([[null], [[1, 'set']], ['set 5'], [undefined]])(
    'refuses a body that is not an object: %j',
    (body) => {
      expect(refusal(body)).toBe('the body must be a JSON object');
    },
  );
});

// The ledger's own check of a change, whoever built it.
describe('validateStockChange', () => {
  it.each(['increment', 'decrement', 'set'] as const)('accepts %s', (action) => {
    expect(validateStockChange({ amount: 3, action })).toEqual({ action, amount: 3 });
  });

  it('accepts the bounds 0 and MAX_STOCK', () => {
    expect(validateStockChange({ amount: 0, action: 'set' }).amount).toBe(0);
    expect(validateStockChange({ amount: MAX_STOCK, action: 'set' }).amount).toBe(MAX_STOCK);
  });

  it.each([
    ['a missing amount', { amount: undefined, action: 'set' }],
    ['a string amount', { amount: '5', action: 'set' }],
    ['a fractional amount', { amount: 1.5, action: 'set' }],
    ['a negative amount', { amount: -1, action: 'increment' }],
    ['an amount above the limit', { amount: MAX_STOCK + 1, action: 'set' }],
    ['NaN', { amount: NaN, action: 'set' }],
    ['an unknown action', { amount: 1, action: 'add' }],
    ['a missing action', { amount: 1, action: undefined }],
  ])('refuses %s', (_label, change) => {
    expect(() => validateStockChange(change)).toThrow(InvalidStockRequestError);
  });

  it('carries HTTP 400', () => {
    try {
      validateStockChange({ action: 'set', amount: -1 });
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_STOCK_REQUEST' });
    }
  });
});

describe('parseProductIdList', () => {
  it('keeps order and drops repeats', () => {
    expect(parseProductIdList('3, 1,3,2')).toEqual([3, 1, 2]);
  });

  it('refuses an empty list, a bad member and too many ids', () => {
    expect(() => parseProductIdList('')).toThrow(InvalidStockRequestError);
    expect(() => parseProductIdList('1,x')).toThrow(new InvalidProductIdError('ids', 'x').message);
    expect(() => parseProductIdList('1,1e3')).toThrow(InvalidProductIdError);
    const tooMany = Array.from({ length: MAX_IDS_PER_READ + 1 }, (_, index) => index + 1);
    expect(() => parseProductIdList(tooMany.join(','))).toThrow(InvalidStockRequestError);
  });
});

describe('idempotency keys', () => {
  it('accepts visible ASCII up to 200 characters', () => {
    expect(validateIdempotencyKey('order-1234:line-2')).toBe('order-1234:line-2');
    expect(validateIdempotencyKey('k'.repeat(200))).toHaveLength(200);
  });

  it.each(['', 'has space', 'k'.repeat(201), 'caf\u00e9', 42])('refuses %p', (key) => {
    expect(() => validateIdempotencyKey(key)).toThrow(InvalidStockRequestError);
  });

  it('binds a key to product, action and amount', () => {
    expect(idempotencyFingerprint(7, { action: 'decrement', amount: 2 })).toBe('7:decrement:2');
  });
});
