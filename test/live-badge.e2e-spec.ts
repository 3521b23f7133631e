import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { stockBadgeFor } from '@shop/storefront';
import type { Product } from '@shop/contracts';
import { launchChromium, screenshot } from './support/browser';
import {
  config,
  eventually,
  requestJson,
  setStock,
  stockFigures,
  type SellableFigures,
  urls,
} from './support/stack';

/**
 * Issue 14's acceptance for the storefront, in a real browser through Varnish: a page open, a
 * stock PUT through the admin API, and the badge follows within a second without a reload; at 0
 * it says "Sold out" and offers the notify form. Products 1119 (product page), 1120 (a listing
 * tile) and 1124 (a cart line) belong to this file.
 */
const PRODUCT_PAGE_ID = 1119;
const TILE_ID = 1120;
const CART_ID = 1124;
const MY_PRODUCTS = [PRODUCT_PAGE_ID, TILE_ID, CART_ID];

/** The aim: from the PUT's answer to the badge showing it. */
const WITHIN_MS = 1000;

const labelFor = (stock: number): string =>
  stockBadgeFor(stock, config.STOREFRONT_LOW_STOCK_BELOW).label;

/** The badge of `productId` on the page (a tile, a cart line or the product's own). */
function badgeOf(page: Page, productId: number): Locator {
  return page.locator(`[data-live-stock="${productId}"]`).first();
}

/** Waits (up to WITHIN_MS) for the badge to say `label`; returns how long after `since` it did. */
async function badgeShows(
  page: Page,
  productId: number,
  label: string,
  since: number,
): Promise<number> {
  await page.waitForFunction(
    ({ id, text }) =>
      document
        .querySelector(`[data-live-stock="${id}"] [data-testid="stock-badge"]`)
        ?.textContent?.trim() === text,
    { id: productId, text: label },
    { timeout: WITHIN_MS, polling: 'raf' },
  );
  return Date.now() - since;
}

/** A change through the admin API (via Varnish); the clock starts at its answer. */
async function changeStock(id: number, stock: number): Promise<[SellableFigures, number]> {
  const figures = await setStock(id, stock);
  return [figures, Date.now()];
}

/**
 * Opens a page and waits until its script has subscribed (the gateway answered it with the
 * current figure), so a change that follows cannot slip in before the subscription.
 */
async function openLive(context: BrowserContext, path: string, productId: number): Promise<Page> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  // Every failed load by its URL; the shop has no favicon, which Chromium asks for anyway.
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) {
      problems.push(`${response.status()} ${response.url()}`);
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(message.text());
    }
  });
  const socket = page.waitForEvent('websocket', {
    predicate: (ws) => ws.url() === `${urls.varnish.replace(/^http/, 'ws')}/live`,
    timeout: 10_000,
  });
  const answered = socket.then((ws) =>
    ws.waitForEvent('framereceived', {
      predicate: (frame) =>
        typeof frame.payload === 'string' &&
        (JSON.parse(frame.payload) as { id?: number }).id === productId,
      timeout: 10_000,
    }),
  );
  const response = await page.goto(`${urls.varnish}${path}`, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  await answered;
  // Marks this document: a reload would lose it.
  await page.evaluate(() => {
    (window as unknown as { liveMarker: number }).liveMarker = 1;
  });
  expect(problems).toEqual([]);
  return page;
}

async function notReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker === 1);
}

describe('live stock badges in a real browser', () => {
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  afterEach(async () => {
    await context?.close();
  });

  afterAll(async () => {
    await browser?.close();
    // Leave the products in stock for the next run.
    for (const id of MY_PRODUCTS) await setStock(id, 50);
  });

  it('follows stock PUTs on the product page within a second, down to "Sold out" and the notify form', async () => {
    await changeStock(PRODUCT_PAGE_ID, 50);
    const page = await openLive(context, `/p/${PRODUCT_PAGE_ID}`, PRODUCT_PAGE_ID);
    const badge = badgeOf(page, PRODUCT_PAGE_ID);
    await badgeShows(page, PRODUCT_PAGE_ID, labelFor(50), Date.now());
    expect(await badge.getByTestId('notify-form').isVisible()).toBe(false);

    const [low, lowAt] = await changeStock(PRODUCT_PAGE_ID, 4);
    expect(low.stock).toBe(4);
    const lowMs = await badgeShows(page, PRODUCT_PAGE_ID, 'Only 4 left', lowAt);
    expect(await badge.getByTestId('stock-badge').getAttribute('data-stock')).toBe('4');

    const [soldOut, soldOutAt] = await changeStock(PRODUCT_PAGE_ID, 0);
    expect(soldOut.stock).toBe(0);
    const soldOutMs = await badgeShows(page, PRODUCT_PAGE_ID, 'Sold out', soldOutAt);
    const form = badge.getByTestId('notify-form');
    expect(await form.isVisible()).toBe(true);
    expect(await form.getAttribute('action')).toBe('/notifications/back-in-stock');
    expect(await form.getAttribute('method')).toBe('post');
    expect(await badge.getByTestId('notify-email').isVisible()).toBe(true);
    expect(await form.getByRole('button', { name: 'Notify me' }).isVisible()).toBe(true);
    await screenshot(page, `live-badge-${PRODUCT_PAGE_ID}-sold-out`);

    // Back in stock: the form goes away again.
    const [, backAt] = await changeStock(PRODUCT_PAGE_ID, 30);
    const backMs = await badgeShows(page, PRODUCT_PAGE_ID, labelFor(30), backAt);
    expect(await form.isVisible()).toBe(false);

    expect(await notReloaded(page)).toBe(true);
    console.log(
      `live badge after a PUT: ${lowMs} ms (Only 4 left), ${soldOutMs} ms (Sold out), ${backMs} ms (back)`,
    );
  });

  it("shows a sold-out product with the notify form even before any change (the server's badge)", async () => {
    await changeStock(PRODUCT_PAGE_ID, 0);
    // Without JavaScript: the server's badge is the truth.
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await noScript.newPage();
      const badge = badgeOf(page, PRODUCT_PAGE_ID);
      // The sync worker purges the cached badge fragment shortly after the change.
      await eventually(
        async () => {
          await page.goto(`${urls.varnish}/p/${PRODUCT_PAGE_ID}`, { waitUntil: 'load' });
          const text = (await badge.getByTestId('stock-badge').textContent())?.trim();
          return text === 'Sold out' ? text : undefined;
        },
        { what: `the ESI badge of ${PRODUCT_PAGE_ID} saying Sold out`, intervalMs: 50 },
      );
      expect(await badge.getByTestId('notify-form').isVisible()).toBe(true);
    } finally {
      await noScript.close();
    }
  });

  it('updates a listing tile', async () => {
    const product = await requestJson<Product>(`${urls.catalog}/products/${TILE_ID}`);
    expect(product.status).toBe(200);
    await changeStock(TILE_ID, 50);
    const path = `/search?q=${encodeURIComponent(product.body.sku)}`;
    const page = await openLive(context, path, TILE_ID);
    const tile = page.getByTestId('product-tile').filter({ has: badgeOf(page, TILE_ID) });
    expect(await tile.count()).toBe(1);

    const [, at] = await changeStock(TILE_ID, 3);
    const ms = await badgeShows(page, TILE_ID, 'Only 3 left', at);
    expect(await notReloaded(page)).toBe(true);
    console.log(`listing tile after a PUT: ${ms} ms`);
  });

  it('updates the cart page', async () => {
    await changeStock(CART_ID, 50);
    const page = await context.newPage();
    await page.goto(`${urls.varnish}/p/${CART_ID}`, { waitUntil: 'load' });
    await page.getByTestId('add-to-cart').getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(`${urls.varnish}/cart`);
    await page.close();

    const cart = await openLive(context, '/cart', CART_ID);
    const line = cart.getByTestId('cart-line').filter({ has: badgeOf(cart, CART_ID) });
    expect(await line.count()).toBe(1);

    // What can be sold is on hand minus what carts hold (this one's unit, and any a cart of an
    // earlier run still holds): 5 left whatever that is.
    const { held } = await stockFigures(CART_ID);
    expect(held).toBeGreaterThanOrEqual(1);
    const [figures, at] = await changeStock(CART_ID, held + 5);
    expect(figures.stock).toBe(5);
    const ms = await badgeShows(cart, CART_ID, labelFor(5), at);
    expect(await notReloaded(cart)).toBe(true);
    await screenshot(cart, `live-badge-${CART_ID}-cart`);
    console.log(`cart line after a PUT: ${ms} ms`);
  });
});
