import { eventually, requestJson, setStock, stockFigures, urls } from './support/stack';
import { textOf } from './support/varnish';

/*
 * The storefront's shopping forms through Varnish, as a browser without JavaScript uses them:
 * form posts, 303 redirects followed by hand, the cart cookie carried by hand (issue 13 item 6).
 * Products 1108-1109 belong to this file. Orders stay `pending` until the order worker is merged.
 */
const PRODUCT = { journey: 1108, header: 1109 } as const;

/** What a browser's navigation sends: it prefers HTML. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

interface FormAnswer {
  status: number;
  headers: Headers;
  html: string;
}

/** A page as a browser asks for it (never following redirects), with the cart cookie if any. */
async function browse(path: string, cookie?: string): Promise<FormAnswer> {
  const response = await fetch(`${urls.varnish}${path}`, {
    redirect: 'manual',
    headers: { accept: BROWSER_ACCEPT, ...(cookie ? { cookie } : {}) },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** A form post as a browser without JavaScript sends it. */
async function submit(
  path: string,
  form: Record<string, string>,
  cookie?: string,
): Promise<FormAnswer> {
  const response = await fetch(`${urls.varnish}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      accept: BROWSER_ACCEPT,
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** `cart=<id>` out of a Set-Cookie, checking the attributes the browser must get. */
function cartCookieOf(answer: FormAnswer): string {
  const setCookie = answer.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/^cart=[0-9a-f]{32};/);
  const attributes = setCookie.split(';').map((part) => part.trim().toLowerCase());
  expect(attributes).toEqual(expect.arrayContaining(['path=/', 'httponly', 'samesite=lax']));
  return setCookie.split(';')[0];
}

function hiddenKey(html: string): string {
  const key = /name="idempotencyKey" value="([^"]+)"/.exec(html)?.[1];
  expect(key).toMatch(/^[0-9a-f-]{36}$/);
  return key ?? '';
}

function expectNeverStored(answer: FormAnswer): void {
  expect(answer.headers.get('cache-control')).toMatch(/no-store/);
  expect(answer.headers.get('x-cache')).toBe('MISS');
  expect(answer.headers.get('surrogate-control')).toBeNull();
}

const ADDRESS = {
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  line2: '',
  city: 'London',
  postcode: 'N1 9GU',
  country: 'GB',
};

describe('shopping without JavaScript, through Varnish', () => {
  it('adds to cart, shows the cart, checks out once with errors by their fields, and confirms', async () => {
    const id = PRODUCT.journey;
    await setStock(id, 5);

    // The product page (shared, cached) carries the form; it has nothing of any shopper in it.
    const product = await browse(`/p/${id}`);
    expect(product.status).toBe(200);
    expect(product.html).toContain(`<input type="hidden" name="productId" value="${id}">`);

    // First add: the cart is made, its id comes back in the cookie, and we are sent to /cart.
    const added = await submit('/cart/items', { productId: String(id), quantity: '2' });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/cart');
    const cookie = cartCookieOf(added);
    expect(await stockFigures(id)).toMatchObject({ onHand: 5, held: 2, stock: 3 });

    const cart = await browse('/cart', cookie);
    expect(cart.status).toBe(200);
    expectNeverStored(cart);
    expect(cart.html).not.toContain('<esi:');
    expect(textOf(cart.html, 'cart-line-name')).toBeTruthy();
    expect(cart.html).toMatch(/data-testid="cart-line-quantity"/);
    expect(textOf(cart.html, 'cart-quantity')).toBe('2');
    expect(textOf(cart.html, 'cart-hold')).toMatch(/^\d\d:\d\d UTC$/);
    // The header (an ESI fragment, never cached) reads this very cart.
    expect(textOf(cart.html, 'cart-count')).toBe('Cart (2)');

    // More than is left: the cart page says so, and nothing changes.
    const tooMany = await submit('/cart/items', { productId: String(id), quantity: '4' }, cookie);
    expect(tooMany.status).toBe(409);
    expectNeverStored(tooMany);
    expect(textOf(tooMany.html, 'cart-error')).toMatch(/^Not enough stock: product 1108/);
    expect(tooMany.headers.get('set-cookie')).toBeNull();
    expect(await stockFigures(id)).toMatchObject({ held: 2, stock: 3 });

    // The quantity form: 3 units.
    const updated = await submit(`/cart/items/${id}`, { quantity: '3' }, cookie);
    expect([updated.status, updated.headers.get('location')]).toEqual([303, '/cart']);
    expect(await stockFigures(id)).toMatchObject({ held: 3, stock: 2 });

    // Checkout: one field wrong (caught here), one only the API refuses; nothing is placed.
    const form = await browse('/checkout', cookie);
    expect(form.status).toBe(200);
    expectNeverStored(form);
    const key = hiddenKey(form.html);
    const badEmail = await submit(
      '/checkout',
      { ...ADDRESS, email: 'ada-at-example', idempotencyKey: key },
      cookie,
    );
    expect(badEmail.status).toBe(400);
    expect(textOf(badEmail.html, 'error-email')).toBe(
      'Enter an email address such as ada@example.com',
    );
    expect(textOf(badEmail.html, 'error-city')).toBeUndefined();
    expect(hiddenKey(badEmail.html)).toBe(key);
    const badCountry = await submit(
      '/checkout',
      { ...ADDRESS, country: 'XX', idempotencyKey: key },
      cookie,
    );
    expect(badCountry.status).toBe(400);
    expect(textOf(badCountry.html, 'error-country')).toMatch(/^country must be an ISO 3166-1/);
    expect(await stockFigures(id)).toMatchObject({ onHand: 5, held: 3 });

    // Submitted twice at once (a double click): one order, both answers point at it.
    const good = { ...ADDRESS, idempotencyKey: key };
    const [first, second] = await Promise.all([
      submit('/checkout', good, cookie),
      submit('/checkout', good, cookie),
    ]);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    const location = first.headers.get('location') ?? '';
    expect(location).toMatch(/^\/orders\/[0-9a-f]{32}$/);
    expect(second.headers.get('location')).toBe(location);
    expect(await stockFigures(id)).toMatchObject({ onHand: 2, held: 0, stock: 2 });

    // The confirmation page, at the very URL the checkout API's Location names.
    const confirmation = await browse(location, cookie);
    expect(confirmation.status).toBe(200);
    expectNeverStored(confirmation);
    expect(confirmation.headers.get('vary')).toMatch(/Accept/);
    expect(textOf(confirmation.html, 'order-id')).toBe(location.slice('/orders/'.length));
    expect(['pending', 'confirmed']).toContain(textOf(confirmation.html, 'order-status'));
    // The order worker writes it to MySQL: the page then says so.
    await eventually(
      async () =>
        textOf((await browse(location, cookie)).html, 'order-status') === 'confirmed' || undefined,
      { what: 'the confirmation page to show confirmed' },
    );
    // The cart is closed: the header counts nothing.
    expect(textOf(confirmation.html, 'cart-count')).toBe('Cart (0)');

    // The same URL asked for as JSON is the order API.
    const api = await requestJson<{ id: string; status: string }>(`${urls.varnish}${location}`, {
      headers: { accept: 'application/json' },
    });
    expect(api.status).toBe(200);
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    expect(api.headers.get('vary')).toMatch(/Accept/);
    expect(api.body.id).toBe(location.slice('/orders/'.length));
  });

  it('shows each shopper the count of their own cart on a cached page, 0 without a cart', async () => {
    const id = PRODUCT.header;
    await setStock(id, 20);
    const three = cartCookieOf(
      await submit('/cart/items', { productId: String(id), quantity: '3' }),
    );
    const five = cartCookieOf(
      await submit('/cart/items', { productId: String(id), quantity: '5' }),
    );
    // Varnish keeps two copies of the page: the anonymous one (the shared header inside) and the
    // shoppers' one (their header an include, fetched for each of them).
    await browse(`/p/${id}`);
    await browse(`/p/${id}`, `cart=${'1'.repeat(32)}`);
    const views = await Promise.all([
      browse(`/p/${id}`, three),
      browse(`/p/${id}`, five),
      browse(`/p/${id}`),
      browse(`/p/${id}`, `cart=${'0'.repeat(32)}`),
    ]);
    for (const view of views) expect(view.headers.get('x-cache')).toBe('HIT');
    expect(views.map((view) => textOf(view.html, 'cart-count'))).toEqual([
      'Cart (3)',
      'Cart (5)',
      'Cart (0)',
      'Cart (0)',
    ]);

    // Asked for on its own, a shopper's header is fetched for them (never stored); anonymous
    // visitors get one shared copy.
    const own = await browse('/fragments/header', three);
    expect([own.headers.get('x-cache'), textOf(own.html, 'cart-count')]).toEqual([
      'MISS',
      'Cart (3)',
    ]);
    await browse('/fragments/header');
    const shared = await browse('/fragments/header');
    expect([shared.headers.get('x-cache'), textOf(shared.html, 'cart-count')]).toEqual([
      'HIT',
      'Cart (0)',
    ]);

    // Remove both lines again: the holds go back at once.
    for (const cookie of [three, five]) {
      const removed = await submit(`/cart/items/${id}/remove`, {}, cookie);
      expect([removed.status, removed.headers.get('location')]).toEqual([303, '/cart']);
    }
    expect(await stockFigures(id)).toMatchObject({ onHand: 20, held: 0 });
  });

  it('refuses bad forms with a 400 page and answers unknown orders with a 404 page', async () => {
    const bad = await submit('/cart/items', { productId: 'abc' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^text\/html/);
    expect(bad.html).toContain('productId must be');
    expect(bad.headers.get('set-cookie')).toBeNull();

    const noCart = await browse('/checkout');
    expect([noCart.status, noCart.headers.get('location')]).toEqual([303, '/cart']);

    const unknown = await browse(`/orders/${'0'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^text\/html/);
    expectNeverStored(unknown);
  });
});
