import { InvalidProductIdError, MAX_PRODUCT_ID, parseProductId } from './product-id';

describe('parseProductId', () => {
  it('accepts decimal digits and integers from 1 to the column maximum', () => {
    expect(parseProductId('42')).toBe(42);
    expect(parseProductId(42)).toBe(42);
    expect(parseProductId('1')).toBe(1);
    expect(parseProductId(String(MAX_PRODUCT_ID))).toBe(4_294_967_295);
  });

  it.each([
    '1e3',
    '0x10',
    '+1',
    '-1',
    ' 1',
    '1 ',
    '1.0',
    '1,2',
    '0',
    '007',
    '',
    'abc',
    '１２', // full-width digits
    '4294967296',
    '9999999999999999999',
    '99999999999',
  ])('refuses the text %p with the parameter named', (raw) => {
    expect(() => parseProductId(raw, 'id')).toThrow(InvalidProductIdError);
    expect(() => parseProductId(raw, 'id')).toThrow(/^id must be a product id/);
  });

  it.each([0, -1, 1.5, NaN, Infinity, MAX_PRODUCT_ID + 1, null, undefined, true, {}])(
    'refuses the value %p',
    (raw) => {
      expect(() => parseProductId(raw)).toThrow(InvalidProductIdError);
    },
  );

  it('names the parameter and shows a bounded part of what was given', () => {
    const error = new InvalidProductIdError('ids', `${'9'.repeat(100)}`);
    expect(error.parameter).toBe('ids');
    expect(error.message).toBe(
      `ids must be a product id (digits only, 1 to 4294967295), got "${'9'.repeat(40)}"`,
    );
  });
});
