import { MAX_STOCK } from '@shop/contracts';
import {
  idempotencyFingerprint,
  MAX_IDS_PER_READ,
  parseProductId,
  parseProductIdList,
  parseStockChangeRequest,
  validateIdempotencyKey,
  validateStockChange,
} from './stock-change';
import { InvalidStockRequestError } from './stock-errors';

describe('parseStockChangeRequest', () => {
  it.each(['increment', 'decrement', 'set'] as const)('accepts %s', (action) => {
    expect(parseStockChangeRequest({ stock: 3, action })).toEqual({ action, amount: 3 });
  });

  it('accepts the bounds 0 and MAX_STOCK', () => {
    expect(parseStockChangeRequest({ stock: 0, action: 'set' }).amount).toBe(0);
    expect(parseStockChangeRequest({ stock: MAX_STOCK, action: 'set' }).amount).toBe(MAX_STOCK);
  });

  it.each([
    ['a missing stock', { action: 'set' }],
    ['a string stock', { stock: '5', action: 'set' }],
    ['a fractional stock', { stock: 1.5, action: 'set' }],
    ['a negative stock', { stock: -1, action: 'increment' }],
    ['a stock above the limit', { stock: MAX_STOCK + 1, action: 'set' }],
    ['NaN', { stock: NaN, action: 'set' }],
    ['an unknown action', { stock: 1, action: 'add' }],
    ['a missing action', { stock: 1 }],
    ['null', null],
    ['an array', [1, 'set']],
    ['a string', 'set 5'],
  ])('refuses %s', (_label, body) => {
    expect(() => parseStockChangeRequest(body)).toThrow(InvalidStockRequestError);
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

describe('parseProductId', () => {
  it('accepts positive integers and their decimal strings', () => {
    expect(parseProductId(42)).toBe(42);
    expect(parseProductId('42')).toBe(42);
  });

  it.each([0, -1, 1.5, '0', '042', '4e2', ' 4', 'abc', '', '99999999999999999', null, undefined])(
    'refuses %p',
    (raw) => {
      expect(() => parseProductId(raw)).toThrow(InvalidStockRequestError);
    },
  );
});

describe('parseProductIdList', () => {
  it('keeps order and drops repeats', () => {
    expect(parseProductIdList('3, 1,3,2')).toEqual([3, 1, 2]);
  });

  it('refuses an empty list, a bad member and too many ids', () => {
    expect(() => parseProductIdList('')).toThrow(InvalidStockRequestError);
    expect(() => parseProductIdList('1,x')).toThrow(InvalidStockRequestError);
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
