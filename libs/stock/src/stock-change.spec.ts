import { InvalidProductIdError, MAX_STOCK } from '@shop/contracts';
import {
  idempotencyFingerprint,
  MAX_IDS_PER_READ,
  parseProductIdList,
  validateIdempotencyKey,
  validateStockChange,
} from './stock-change';
import { InvalidStockRequestError } from './stock-errors';

// The HTTP body's shape is checked by stock-api's StockChangeDto; this is the ledger's own check.
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
