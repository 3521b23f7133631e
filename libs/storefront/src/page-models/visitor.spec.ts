import {
  ANONYMOUS_VISITOR,
  MAX_CART_COUNT,
  parseCartCount,
  parseCookieHeader,
  parseUserName,
  visitorFromCookies,
} from './visitor';

describe('parseCookieHeader', () => {
  it('splits pairs, trims, keeps the first of a repeated name and strips quotes', () => {
    const cookies = parseCookieHeader(' a=1; b="two" ;a=3; junk; =x; c=');
    expect([...cookies]).toEqual([
      ['a', '1'],
      ['b', 'two'],
      ['c', ''],
    ]);
  });

  it('reads nothing from no header', () => {
    expect(parseCookieHeader(undefined).size).toBe(0);
  });
});

describe('parseCartCount', () => {
  it('reads {"count":n} and a bare number, URL-encoded or not', () => {
    expect(parseCartCount(encodeURIComponent('{"count":3}'))).toBe(3);
    expect(parseCartCount('{"count":2}')).toBe(2);
    expect(parseCartCount('5')).toBe(5);
  });

  it('counts garbage, negatives and fractions as an empty cart', () => {
    for (const raw of [
      undefined,
      '',
      'abc',
      '%E0%A4%A',
      '{"count":-1}',
      '{"count":1.5}',
      '{"n":2}',
      'null',
    ]) {
      expect(parseCartCount(raw)).toBe(0);
    }
  });

  it('caps absurd counts', () => {
    expect(parseCartCount('{"count":123456}')).toBe(MAX_CART_COUNT);
  });
});

describe('parseUserName', () => {
  it('decodes and trims a display name', () => {
    expect(parseUserName('%20Ada%20Lovelace%20')).toBe('Ada Lovelace');
  });

  it('drops control characters and caps the length', () => {
    expect(parseUserName(encodeURIComponent('Bob\u0000\n'))).toBe('Bob');
    expect(parseUserName('x'.repeat(100))).toHaveLength(40);
  });

  it('treats empty and undecodable names as anonymous', () => {
    expect(parseUserName(undefined)).toBeNull();
    expect(parseUserName('%20')).toBeNull();
    expect(parseUserName('%E0%A4%A')).toBeNull();
  });

  it('leaves markup for the template to escape', () => {
    expect(parseUserName(encodeURIComponent('<b>x</b>'))).toBe('<b>x</b>');
  });
});

describe('visitorFromCookies', () => {
  it('reads the cart and user cookies, ignoring the rest', () => {
    expect(visitorFromCookies('_ga=GA1.2; cart=%7B%22count%22%3A4%7D; user=Ada')).toEqual({
      cartCount: 4,
      userName: 'Ada',
    });
  });

  it('is anonymous without cookies', () => {
    expect(visitorFromCookies(undefined)).toEqual(ANONYMOUS_VISITOR);
  });
});
