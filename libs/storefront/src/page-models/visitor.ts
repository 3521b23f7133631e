/**
 * Who is looking, as far as the header fragment cares, read from two cookies the shop's front end
 * sets (both URL-encoded, as `encodeURIComponent` writes them):
 *
 *   cart=<JSON>   `{"count":3}` (or a bare JSON number, `3`): items in the cart.
 *   user=<name>   display name of the signed-in shopper, e.g. `user=Ada%20Lovelace`.
 *
 * They are display hints only, never credentials: a forged cookie changes nothing but what its
 * own owner sees. Anything unreadable counts as an empty cart / an anonymous visitor.
 */
export interface Visitor {
  cartCount: number;
  userName: string | null;
}

export const CART_COOKIE = 'cart';
export const USER_COOKIE = 'user';
export const MAX_CART_COUNT = 999;
export const MAX_USER_NAME_LENGTH = 40;

export const ANONYMOUS_VISITOR: Visitor = { cartCount: 0, userName: null };

function safeDecode(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/** RFC 6265 `Cookie` header → name/value map; the first occurrence of a name wins. */
export function parseCookieHeader(header: string | string[] | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '');
  for (const pair of text.split(';')) {
    const separator = pair.indexOf('=');
    if (separator <= 0) continue;
    const name = pair.slice(0, separator).trim();
    let value = pair.slice(separator + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2)
      value = value.slice(1, -1);
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export function parseCartCount(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const decoded = safeDecode(raw);
  if (decoded === null) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    return 0;
  }
  const count =
    typeof parsed === 'object' && parsed !== null && 'count' in parsed ? parsed.count : parsed;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) return 0;
  return Math.min(count, MAX_CART_COUNT);
}

export function parseUserName(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const decoded = safeDecode(raw);
  if (decoded === null) return null;
  // Control characters have no business in a greeting; the template escapes the rest.
  // eslint-disable-next-line no-control-regex
  const cleaned = decoded.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (cleaned.length === 0) return null;
  return [...cleaned].slice(0, MAX_USER_NAME_LENGTH).join('');
}

export function visitorFromCookies(cookieHeader: string | string[] | undefined): Visitor {
  const cookies = parseCookieHeader(cookieHeader);
  return {
    cartCount: parseCartCount(cookies.get(CART_COOKIE)),
    userName: parseUserName(cookies.get(USER_COOKIE)),
  };
}
