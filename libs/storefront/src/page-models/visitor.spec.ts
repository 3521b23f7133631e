import {
  ANONYMOUS_VISITOR,
  isAnonymous,
  parseCartId,
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

describe('parseCartId', () => {
  it('reads a cart id of 32 lowercase hex digits', () => {
    expect(parseCartId('0123456789abcdef0123456789abcdef')).toBe(
      '0123456789abcdef0123456789abcdef',
    );
  });

  it('treats anything else as no cart, so that it never reaches the cart API', () => {
    for (const raw of [
      undefined,
      '',
      '3',
      '%7B%22count%22%3A4%7D',
      '0123456789ABCDEF0123456789ABCDEF',
      '0123456789abcdef0123456789abcde',
      '0123456789abcdef0123456789abcdef0',
      '../../admin/products/1aaaaaaaaaaaa',
    ]) {
      expect(parseCartId(raw)).toBeNull();
    }
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
    const id = 'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb';
    expect(visitorFromCookies(`_ga=GA1.2; cart=${id}; user=Ada`)).toEqual({
      cartId: id,
      userName: 'Ada',
    });
  });

  it('is anonymous without cookies', () => {
    expect(visitorFromCookies(undefined)).toEqual(ANONYMOUS_VISITOR);
  });
});

describe('isAnonymous', () => {
  it('is true only without a cart id and without a name', () => {
    const cart = 'a'.repeat(32);
    expect(isAnonymous(visitorFromCookies(undefined))).toBe(true);
    expect(isAnonymous(visitorFromCookies('_ga=1; theme=dark'))).toBe(true);
    expect(isAnonymous(visitorFromCookies('cart=3'))).toBe(true);
    expect(isAnonymous(visitorFromCookies(`cart=${cart}`))).toBe(false);
    expect(isAnonymous(visitorFromCookies('user=Ada'))).toBe(false);
  });
});
