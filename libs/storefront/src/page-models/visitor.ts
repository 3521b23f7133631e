import { OPAQUE_ID_PATTERN } from '@shop/contracts';

/**
 * Who is looking, read from two cookies:
 *
 *   cart=<id>     the shopper's cart id (32 hex digits), set by the storefront (HttpOnly,
 *                 SameSite=Lax) when the first item goes in. The id is the cart's only credential;
 *                 the header fragment reads the cart through the cart API to show its count.
 *   user=<name>   display name of the signed-in shopper, e.g. `user=Ada%20Lovelace` (URL-encoded,
 *                 as `encodeURIComponent` writes it): a display hint, never a credential.
 *
 * Anything unreadable counts as no cart / an anonymous visitor.
 */
export interface Visitor {
  cartId: string | null;
  userName: string | null;
}

export const CART_COOKIE = 'cart';
export const USER_COOKIE = 'user';
export const MAX_USER_NAME_LENGTH = 40;

export const ANONYMOUS_VISITOR: Visitor = { cartId: null, userName: null };

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

/** A cart id from the cookie, or null: anything that cannot be an id never reaches the API. */
export function parseCartId(raw: string | undefined): string | null {
  return raw !== undefined && OPAQUE_ID_PATTERN.test(raw) ? raw : null;
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

/**
 * A visitor whose header is everybody's: no cart and no name. Its header fragment may be shared
 * by every such visitor; anyone else's is theirs alone.
 */
export function isAnonymous(visitor: Visitor): boolean {
  return visitor.cartId === null && visitor.userName === null;
}

export function visitorFromCookies(cookieHeader: string | string[] | undefined): Visitor {
  const cookies = parseCookieHeader(cookieHeader);
  return {
    cartId: parseCartId(cookies.get(CART_COOKIE)),
    userName: parseUserName(cookies.get(USER_COOKIE)),
  };
}
