import { InvalidPriceRequestError } from './price-errors';
import {
  effectivePriceCents,
  nextTransitionAt,
  parseMoney,
  parsePriceChange,
  type PriceState,
} from './price-change';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const parse = (body: unknown) => parsePriceChange(body, NOW);

describe('parsePriceChange', () => {
  it('reads a price, a sale, a sale end, and both together', () => {
    expect(parse({ price: 19.99 })).toEqual({ priceCents: 1999 });
    expect(
      parse({
        salePrice: 15,
        saleStartsAt: '2026-12-01T11:00:00Z',
        saleEndsAt: '2026-12-01T12:00:00.500+01:00',
      }),
    ).toEqual({
      sale: {
        kind: 'set',
        saleCents: 1500,
        startsAt: Date.parse('2026-12-01T11:00:00Z'),
        endsAt: Date.parse('2026-12-01T11:00:00.500Z'),
      },
    });
    expect(parse({ salePrice: null })).toEqual({ sale: { kind: 'clear' } });
    expect(parse({ price: 20, salePrice: 10 })).toEqual({
      priceCents: 2000,
      sale: { kind: 'set', saleCents: 1000, startsAt: null, endsAt: null },
    });
  });

  it.each([
    ['not an object', [1], 'JSON object'],
    ['null', null, 'JSON object'],
    ['empty', {}, 'Give price, salePrice, or both'],
    ['an unknown field', { price: 1, currency: 'EUR' }, 'Unknown field(s): currency'],
    ['a string price', { price: '10' }, 'price must be a number'],
    ['three decimals', { price: 1.005 }, 'at most 2 decimals'],
    ['zero', { price: 0 }, 'above 0'],
    ['a negative price', { price: -1 }, 'above 0'],
    ['too large', { price: 1_000_000.01 }, 'at most 1000000'],
    ['NaN-like', { price: Number.POSITIVE_INFINITY }, 'price must be a number'],
    ['a bad sale price', { salePrice: 'x' }, 'salePrice must be a number'],
    ['times without a sale', { price: 5, saleEndsAt: '2026-12-02T00:00:00Z' }, 'need a salePrice'],
    ['times with an ended sale', { salePrice: null, saleStartsAt: null }, 'salePrice: null'],
    ['a sale not below the price', { price: 10, salePrice: 10 }, 'salePrice must be below price'],
    ['a date without an offset', { salePrice: 5, saleStartsAt: '2026-12-01T11:00:00' }, 'ISO-8601'],
    ['a date that is no date', { salePrice: 5, saleEndsAt: '2026-13-45T99:00:00Z' }, 'ISO-8601'],
    ['a number for a date', { salePrice: 5, saleEndsAt: 1798000000000 }, 'ISO-8601'],
    [
      'a start after the end',
      { salePrice: 5, saleStartsAt: '2026-12-01T12:00:00Z', saleEndsAt: '2026-12-01T11:00:00Z' },
      'saleStartsAt must be before saleEndsAt',
    ],
    [
      'an end in the past',
      { salePrice: 5, saleEndsAt: '2026-12-01T09:59:59Z' },
      'saleEndsAt must be in the future',
    ],
  ])('refuses %s', (_name, body, message) => {
    expect(() => parse(body)).toThrow(InvalidPriceRequestError);
    expect(() => parse(body)).toThrow(message);
  });
});

describe('parseMoney', () => {
  it('is exact in cents for two decimals', () => {
    expect(parseMoney('price', 19.99)).toBe(1999);
    expect(parseMoney('price', 0.01)).toBe(1);
    expect(parseMoney('price', 1_000_000)).toBe(100_000_000);
  });
});

describe('effective price and next transition', () => {
  const state = (startsAt: number | null, endsAt: number | null): PriceState => ({
    priceCents: 1000,
    saleCents: 800,
    startsAt,
    endsAt,
  });

  it('is the sale price from the start (inclusive) to the end (exclusive)', () => {
    const sale = state(NOW, NOW + 1000);
    expect(effectivePriceCents(sale, NOW - 1)).toBe(1000);
    expect(effectivePriceCents(sale, NOW)).toBe(800);
    expect(effectivePriceCents(sale, NOW + 999)).toBe(800);
    expect(effectivePriceCents(sale, NOW + 1000)).toBe(1000);
    expect(effectivePriceCents(state(null, null), NOW)).toBe(800);
    expect(effectivePriceCents({ ...sale, saleCents: null }, NOW)).toBe(1000);
  });

  it('names the next start, then the end, then nothing', () => {
    const sale = state(NOW, NOW + 1000);
    expect(nextTransitionAt(sale, NOW - 1)).toBe(NOW);
    expect(nextTransitionAt(sale, NOW)).toBe(NOW + 1000);
    expect(nextTransitionAt(sale, NOW + 1000)).toBeNull();
    expect(nextTransitionAt(state(null, null), NOW)).toBeNull();
  });
});
