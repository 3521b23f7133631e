import { randomUUID } from 'node:crypto';
import type { Product, ProductDocument } from '@shop/contracts';
import { LISTING_TAG, PURGE_SETTLE_MS } from '@shop/http-cache';
import { killApp, startApp } from './support/apps';
import { adminHeaders, config, eventually, requestJson, urls } from './support/stack';
import { backendHealth, purgeTags, textOf, viewPage, type PageView } from './support/varnish';

/**
 * The storefront through the real varnishd: ESI assembly, tag purges driven by the sync-worker,
 * the never-cached header, tracking stripping, grace. Each test owns one product of the demo
 * catalog (1150-1159 here) so that concurrent suites never touch its cached pages.
 */
const PRODUCT = {
  assembled: 1150,
  shopperBadge: 1151,
  edit: 1152,
  header: 1153,
  tracking: 1154,
  grace: 1155,
  purge: 1156,
  anonymousBadge: 1159,
} as const;
const MY_PRODUCTS = Object.values(PRODUCT);
/** Crosses zero after the others in beforeAll; its echo purge tells that theirs are done. */
const SENTINEL_PRODUCT = 1157;

interface StockLevel {
  id: number;
  stock: number;
  version: number;
}

const page = (id: number): string => `/p/${id}`;

/** Starts a test from a cold page: the shell is dropped, its first view below is a MISS. */
async function dropCachedPage(id: number): Promise<void> {
  const answer = await purgeTags({ hard: [`product-${id}`] });
  expect(answer.status).toBe(200);
}

/** A product page whose fragments were all resolved by Varnish. */
function expectAssembled(view: PageView): void {
  expect(view.status).toBe(200);
  expect(view.html).not.toContain('<esi:');
  expect(textOf(view.html, 'product-name')).toBeTruthy();
  expect(textOf(view.html, 'product-price')).toMatch(/^\$[\d,]+\.\d{2}$/);
  expect(textOf(view.html, 'stock-badge')).toMatch(/^(In stock|Only \d+ left|Sold out)$/);
  expect(view.html).toContain('data-testid="menu"');
  expect(view.html).toContain('data-testid="site-header"');
  expect(view.html).toContain('class="site-footer"');
  // Cache instructions are for Varnish alone.
  expect(view.headers.get('surrogate-control')).toBeNull();
  expect(view.headers.get('xkey')).toBeNull();
}

/** The figure a stock badge was rendered with (its text says only "In stock" above the threshold). */
function badgeFigure(html: string): number | undefined {
  const match = /data-testid="stock-badge" data-stock="(\d+)"/.exec(html);
  return match ? Number(match[1]) : undefined;
}

async function stockLevel(id: number): Promise<StockLevel> {
  const response = await requestJson<StockLevel>(`${urls.stock}/products/${id}/stock`);
  expect(response.status).toBe(200);
  return response.body;
}

function changeStock(
  id: number,
  body: { stock: number; action: 'increment' | 'decrement' | 'set' },
): Promise<{ status: number; body: StockLevel }> {
  return requestJson(`${urls.varnish}/products/${id}/stock`, {
    method: 'PUT',
    headers: adminHeaders,
    body: JSON.stringify(body),
  });
}

async function setStock(id: number, stock: number): Promise<void> {
  const answer = await changeStock(id, { stock, action: 'set' });
  expect(answer.status).toBe(200);
  expect(answer.body.stock).toBe(stock);
}

/** Once the badge fragment shows `stock`, the purge that carried the figure's tag is done. */
function badgeShows(id: number, stock: number): Promise<true> {
  return eventually(
    async () =>
      badgeFigure((await viewPage(`/fragments/stock/${id}`)).html) === stock ? true : undefined,
    { what: `the badge fragment of product ${id} at ${stock}`, intervalMs: 25 },
  );
}

/** The first view of `path` whose badge says `words`, once a purge has refreshed it. */
function viewSaying(
  path: string,
  words: string,
  visitor: { cookie?: string } = {},
): Promise<PageView> {
  return eventually(
    async () => {
      const view = await viewPage(path, visitor);
      return textOf(view.html, 'stock-badge') === words ? view : undefined;
    },
    { what: `${path} saying ${words}`, intervalMs: 25 },
  );
}

function editProduct(
  id: number,
  patch: Partial<Product>,
): Promise<{ status: number; body: Product }> {
  return requestJson(`${urls.varnish}/admin/products/${id}`, {
    method: 'PATCH',
    headers: adminHeaders,
    body: JSON.stringify(patch),
  });
}

describe('storefront through Varnish', () => {
  beforeAll(async () => {
    // Stock that crosses zero purges the product page too (its in-stock flag changes), and stock
    // below the low-stock threshold the page itself (its badge's words change). Keep every
    // product of this suite at "In stock", so that only the changes a test makes purge anything.
    const crossed: number[] = [];
    for (const id of MY_PRODUCTS) {
      if ((await stockLevel(id)).stock >= config.STOREFRONT_LOW_STOCK_BELOW) continue;
      expect((await changeStock(id, { stock: 50, action: 'set' })).status).toBe(200);
      crossed.push(id);
    }
    for (const id of crossed) {
      await eventually(
        async () => {
          const product = await requestJson<ProductDocument>(`${urls.catalog}/products/${id}`);
          return product.body.inStock ? true : undefined;
        },
        { what: `product ${id} in stock in the search index`, timeoutMs: 30_000 },
      );
    }
    // Each crossing purges its product page once the index write is visible, and echoes that
    // purge twice, the last PURGE_SETTLE_MS to 1.25 x PURGE_SETTLE_MS later: the tests below
    // must not see any of them.
    if (crossed.length > 0) await sentinelEchoSeen();
  });

  /**
   * One more crossing, of a product no test here views, through the same queue after the ones
   * above: the sync-worker purges its page after theirs, and its one SettlingPurger sends echoes
   * in due order, one request after the other. Once this product's last echo (a soft purge) has
   * made its cached page stale, every earlier purge and echo has been sent.
   */
  async function sentinelEchoSeen(): Promise<void> {
    const id = SENTINEL_PRODUCT;
    const wasInStock = (await stockLevel(id)).stock > 0;
    const crossing = await changeStock(id, { stock: wasInStock ? 0 : 50, action: 'set' });
    expect(crossing.status).toBe(200);
    await eventually(
      async () => {
        const product = await requestJson<ProductDocument>(`${urls.catalog}/products/${id}`);
        return product.body.inStock === !wasInStock ? true : undefined;
      },
      { what: `sentinel product ${id} crossing zero in the search index`, timeoutMs: 30_000 },
    );
    // The purge follows the index write within milliseconds: its quick echo comes within
    // PURGE_SETTLE_MS / 2 from now, its last echo (PURGE_SETTLE_MS after it) later.
    const quickEchoBefore = Date.now() + PURGE_SETTLE_MS / 2;
    // Keep the page cached (viewed at least twice, or Varnish flags no stale copy) until a view
    // comes back stale: an echo's soft purge (the first purges of this page that are not hard).
    const stale = async (): Promise<true | undefined> =>
      (await viewPage(page(id))).headers.get('x-cache-stale') === '1' ? true : undefined;
    const options = { timeoutMs: 30_000, intervalMs: 50 };
    await eventually(stale, { ...options, what: `an echo purge of sentinel ${id}` });
    if (Date.now() > quickEchoBefore) return; // the quick echo came before the page was cached
    // That was the quick echo: a view fetches the page again, and the last echo makes it stale.
    await eventually(async () => ((await stale()) ? undefined : true), {
      ...options,
      what: `sentinel ${id} fetched again after the quick echo`,
    });
    await eventually(stale, { ...options, what: `the last echo purge of sentinel ${id}` });
  }

  it('serves the second view of a product page as a HIT with every fragment assembled', async () => {
    const id = PRODUCT.assembled;
    await dropCachedPage(id);

    const first = await viewPage(page(id));
    expect(first.cache).toBe('MISS');
    expectAssembled(first);

    const second = await viewPage(page(id));
    expect(second.cache).toBe('HIT');
    expectAssembled(second);
    expect(textOf(second.html, 'cart-count')).toBe('Cart (0)');

    // The same product as the catalog knows it, and the same page as the app renders it inline.
    const product = await requestJson<Product>(`${urls.catalog}/products/${id}`);
    expect(textOf(second.html, 'product-name')).toBe(product.body.name);
    const direct = await viewPage(page(id), { base: urls.storefront });
    expect(direct.status).toBe(200);
    expect(direct.html).not.toContain('<esi:');
    expect(textOf(direct.html, 'product-name')).toBe(product.body.name);
    expect(textOf(direct.html, 'stock-badge')).toBe(textOf(second.html, 'stock-badge'));
  });

  /**
   * A product page copy carries its badge inside (the anonymous copy its header too): a change
   * that leaves the badge's words leaves the stored page, one that changes them refreshes it.
   */
  async function keepsPageUntilBadgeWordsChange(
    id: number,
    shopper?: { cookie: string; greeting: string },
  ): Promise<void> {
    const visitor = shopper ? { cookie: shopper.cookie } : {};
    const view = (): Promise<PageView> => viewPage(page(id), visitor);
    expect(config.STOREFRONT_LOW_STOCK_BELOW).toBe(10);
    try {
      await setStock(id, 60);
      await badgeShows(id, 60);
      await dropCachedPage(id);
      await view();
      const before = await view();
      expect(before.cache).toBe('HIT');
      expectAssembled(before);
      expect(textOf(before.html, 'stock-badge')).toBe('In stock');
      expect(badgeFigure(before.html)).toBe(60);
      if (shopper) expect(textOf(before.html, 'visitor-name')).toBe(shopper.greeting);

      // 60 -> 45 reads "In stock" too (the threshold is 10). Once the purge that carried the
      // figure's tag has reached the badge fragment, the page is still the object stored before.
      await setStock(id, 45);
      await badgeShows(id, 45);
      const kept = await view();
      expect(kept.cache).toBe('HIT');
      expect(kept.hits).toBeGreaterThan(before.hits);
      expect(kept.headers.get('x-varnish')?.split(' ')[1]).toBe(
        before.headers.get('x-varnish')?.split(' ')[1],
      );
      expect(badgeFigure(kept.html)).toBe(60);
      // A shopper's header is still their own: an include in the stored page, fetched for each.
      if (shopper) expect(textOf(kept.html, 'visitor-name')).toBe(shopper.greeting);

      // 45 -> 3 changes the words: the page is fetched again and says so.
      const changedAt = Date.now();
      await setStock(id, 3);
      const relabelled = await viewSaying(page(id), 'Only 3 left', visitor);
      console.log(
        `new badge words on the ${shopper ? "shoppers'" : 'anonymous'} page after ` +
          `${Date.now() - changedAt} ms`,
      );
      expect(badgeFigure(relabelled.html)).toBe(3);
      expectAssembled(relabelled);
    } finally {
      await setStock(id, 60);
    }
  }

  it("keeps the anonymous page through changes that leave its badge's words, and refreshes it when they change", async () => {
    await keepsPageUntilBadgeWordsChange(PRODUCT.anonymousBadge);
  });

  it("keeps the shoppers' page likewise, each shopper's header an include inside it", async () => {
    await keepsPageUntilBadgeWordsChange(PRODUCT.shopperBadge, {
      cookie: 'user=Ada',
      greeting: 'Hello, Ada',
    });
  });

  it("keeps an anonymous listing one object with its badges inside, refreshed when a badge's words change", async () => {
    const id = PRODUCT.anonymousBadge;
    // A listing of this product alone: search pages are listings like the category pages.
    const product = await requestJson<Product>(`${urls.catalog}/products/${id}`);
    const listing = `/search?q=${encodeURIComponent(product.body.sku)}`;
    expect(config.STOREFRONT_LOW_STOCK_BELOW).toBe(10);
    try {
      await setStock(id, 60);
      await badgeShows(id, 60);
      // A change of words (the last test's end) soft-purges `listing` and echoes that purge up to
      // 2.5 s later: wait for every echo, then start from a cold listing.
      await sentinelEchoSeen();
      expect((await purgeTags({ hard: [LISTING_TAG] })).status).toBe(200);
      expect((await viewPage(listing)).cache).toBe('MISS');
      const before = await viewPage(listing);
      expect(before.cache).toBe('HIT');
      expect(before.html).toContain(`href="/p/${id}"`);
      expect(textOf(before.html, 'stock-badge')).toBe('In stock');
      expect(badgeFigure(before.html)).toBe(60);

      // 60 -> 45 keeps the words: the badge fragment moves, the listing stays the stored object.
      await setStock(id, 45);
      await badgeShows(id, 45);
      const kept = await viewPage(listing);
      expect(kept.cache).toBe('HIT');
      expect(kept.headers.get('x-varnish')?.split(' ')[1]).toBe(
        before.headers.get('x-varnish')?.split(' ')[1],
      );
      expect(badgeFigure(kept.html)).toBe(60);

      // 45 -> 3 changes them: the listing is fetched again and says so.
      const changedAt = Date.now();
      await setStock(id, 3);
      const relabelled = await viewSaying(listing, 'Only 3 left');
      console.log(`new badge words on the anonymous listing after ${Date.now() - changedAt} ms`);
      expect(badgeFigure(relabelled.html)).toBe(3);
    } finally {
      await setStock(id, 60);
    }
  });

  it('shows a product edit on the cached page once the sync-worker has re-indexed it', async () => {
    const id = PRODUCT.edit;
    const original = await requestJson<Product>(`${urls.catalog}/products/${id}`);
    expect(original.status).toBe(200);
    const originalName = original.body.name;
    const editedName = `Edited ${randomUUID().slice(0, 8)} ${originalName}`.slice(0, 120);

    await dropCachedPage(id);
    await viewPage(page(id));
    const before = await viewPage(page(id));
    expect(before.cache).toBe('HIT');
    expect(textOf(before.html, 'product-name')).toBe(originalName);

    try {
      const editedAt = Date.now();
      const edited = await editProduct(id, { name: editedName });
      expect(edited.status).toBe(200);
      expect(edited.body.name).toBe(editedName);

      const after = await eventually(
        async () => {
          const view = await viewPage(page(id));
          return textOf(view.html, 'product-name') === editedName ? view : undefined;
        },
        { what: `the new name on the page of product ${id}`, intervalMs: 25 },
      );
      console.log(
        `product edit visible on the cached product page after ${Date.now() - editedAt} ms`,
      );
      expectAssembled(after);
      const cachedAgain = await viewPage(page(id));
      expect(cachedAgain.cache).toBe('HIT');
      expect(textOf(cachedAgain.html, 'product-name')).toBe(editedName);
    } finally {
      const restored = await editProduct(id, { name: originalName });
      expect(restored.status).toBe(200);
      await eventually(
        async () =>
          textOf((await viewPage(page(id))).html, 'product-name') === originalName
            ? true
            : undefined,
        { what: `the original name back on the page of product ${id}` },
      );
    }
  });

  it('gives each shopper their own header on a cached page, and anonymous visitors one shared page', async () => {
    const id = PRODUCT.header;
    await dropCachedPage(id);
    // Two copies of the page: the anonymous one with the shared header inside, and the shoppers'
    // one whose header is an include fetched for each of them.
    const firstGuest = await viewPage(page(id));
    const three = await viewPage(page(id), { cookie: 'cart=3' });
    const five = await viewPage(page(id), {
      cookie: `cart=${encodeURIComponent('{"count":5}')}; user=${encodeURIComponent('Ada Lovelace')}`,
    });
    const guest = await viewPage(page(id));
    expect([firstGuest, three, five, guest].map((view) => view.cache)).toEqual([
      'MISS',
      'MISS',
      'HIT',
      'HIT',
    ]);
    [firstGuest, three, five, guest].forEach(expectAssembled);
    // The cart cookie holds a cart id now: an old count-style value is no cart (shop.e2e-spec.ts
    // shows real carts' counts on a cached page).
    expect(textOf(three.html, 'cart-count')).toBe('Cart (0)');
    expect(textOf(three.html, 'visitor-name')).toBe('Welcome, guest');
    expect(textOf(five.html, 'cart-count')).toBe('Cart (0)');
    expect(textOf(five.html, 'visitor-name')).toBe('Hello, Ada Lovelace');
    expect(textOf(guest.html, 'cart-count')).toBe('Cart (0)');
    expect(textOf(guest.html, 'visitor-name')).toBe('Welcome, guest');

    // Asked for on its own, the anonymous header is one shared object; a shopper's (a cart or a
    // user cookie) is fetched for them every time.
    const anonymous = [await viewPage('/fragments/header'), await viewPage('/fragments/header')];
    expect(anonymous[1].cache).toBe('HIT');
    expect(anonymous.map((view) => textOf(view.html, 'visitor-name'))).toEqual([
      'Welcome, guest',
      'Welcome, guest',
    ]);
    const shopper = await viewPage('/fragments/header', { cookie: 'user=Ada' });
    expect(shopper.cache).toBe('MISS');
    expect(textOf(shopper.html, 'visitor-name')).toBe('Hello, Ada');
  });

  it('does not let tracking parameters or cookies split the cache', async () => {
    const id = PRODUCT.tracking;
    await dropCachedPage(id);
    const cold = await viewPage(page(id));
    expect(cold.cache).toBe('MISS');

    const tagged = await viewPage(`${page(id)}?utm_source=x`);
    const campaign = await viewPage(
      `${page(id)}?utm_source=news&utm_medium=email&utm_campaign=sale&gclid=abc&fbclid=def`,
    );
    const tracked = await viewPage(page(id), {
      cookie: '_ga=GA1.2.3.4; _gid=GA1.2.5.6; _fbp=fb.1',
    });
    // One object: another one would have been a MISS. (Not exact hit counts: a cold fetch
    // slower than 2 s is kept 2 s only by the VCL, and its refresh restarts the count.)
    expect([tagged, campaign, tracked].map((view) => view.cache)).toEqual(['HIT', 'HIT', 'HIT']);
    expectAssembled(tagged);

    // Control: a parameter that is not tracking does make another object.
    const other = await viewPage(`${page(id)}?variant=${randomUUID()}`);
    expect(other.cache).toBe('MISS');
  });

  it('serves a cached page from grace while the storefront is down', async () => {
    const id = PRODUCT.grace;
    await dropCachedPage(id);
    await viewPage(page(id));
    const warm = await viewPage(page(id));
    expect(warm.cache).toBe('HIT');
    const name = textOf(warm.html, 'product-name');
    expect(name).toBeTruthy();

    // Expire the shell but keep it for grace: what is served next is stale by construction.
    const soft = await purgeTags({ soft: [`product-${id}`] });
    expect(soft.status).toBe(200);
    expect(soft.body).toMatchObject({ soft: expect.any(Number) });
    expect((soft.body as { soft: number }).soft).toBeGreaterThanOrEqual(1);

    await killApp('storefront');
    try {
      await eventually(
        async () => ((await backendHealth('storefront')) === 'sick' ? true : undefined),
        { what: 'Varnish probing the storefront as sick', timeoutMs: 30_000, intervalMs: 250 },
      );

      const stale = await viewPage(page(id));
      expect(stale.status).toBe(200);
      expect(stale.cache).toBe('HIT');
      expect(stale.headers.get('x-cache-stale')).toBe('1');
      expect(textOf(stale.html, 'product-name')).toBe(name);
      expect(stale.html).not.toContain('<esi:');
      // Cached fragments still come in; the per-user header has nobody to build it.
      expect(stale.html).toContain('data-testid="menu"');
      expect(textOf(stale.html, 'stock-badge')).toMatch(/^(In stock|Only \d+ left)$/);

      // Control: a page that was never cached gets the friendly 503, the backend is really gone.
      const uncached = await viewPage(`${page(id)}?grace-control=${randomUUID()}`);
      expect(uncached.status).toBe(503);
      expect(uncached.html).toContain("We'll be right back");
    } finally {
      await startApp('storefront');
      // Leave the stack whole: Varnish routes to the storefront again.
      await eventually(
        async () => ((await backendHealth('storefront')) === 'healthy' ? true : undefined),
        { what: 'Varnish probing the storefront as healthy', timeoutMs: 30_000, intervalMs: 250 },
      );
    }
  }, 150_000);

  it('accepts a PURGE by tag from localhost', async () => {
    // The refusal outside the ACL (403) needs a foreign client address:
    // varnish/tests/purge-acl-foreign-refused.vtc covers it with a PROXY-protocol listener, which
    // the running stack does not open.
    const id = PRODUCT.purge;
    await viewPage(page(id));
    const cached = await viewPage(page(id));
    expect(cached.cache).toBe('HIT');

    const answer = await purgeTags({ hard: [`product-${id}`] });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ soft: 0 });
    expect((answer.body as { hard: number }).hard).toBeGreaterThanOrEqual(1);

    const next = await viewPage(page(id));
    expect(next.cache).toBe('MISS');
    expectAssembled(next);
  });
});
