import type { Browser } from 'playwright-core';
import { launchChromium, screenshot } from './support/browser';
import type { Product } from '@shop/contracts';
import { stockBadgeFor } from '@shop/storefront';
import { config, requestJson, urls } from './support/stack';
import { purgeTags } from './support/varnish';

/**
 * A real browser (Debian's `chromium` package, driven by playwright-core: nothing downloads a
 * browser of its own here) opens a product page through Varnish, as a shopper would.
 */
const PRODUCT_ID = 1160;

describe('a product page in a real browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the name, price and stock of the product, and saves a screenshot', async () => {
    const product = await requestJson<Product>(`${urls.catalog}/products/${PRODUCT_ID}`);
    expect(product.status).toBe(200);
    const stock = await requestJson<{ stock: number }>(
      `${urls.stock}/products/${PRODUCT_ID}/stock`,
    );
    expect(stock.status).toBe(200);
    const price = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(
      product.body.price,
    );

    // A cold page: the browser's first view is assembled from a fresh fetch, the next from cache.
    expect((await purgeTags({ hard: [`product-${PRODUCT_ID}`] })).status).toBe(200);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${urls.varnish}/p/${PRODUCT_ID}`, {
        waitUntil: 'load',
      });
      expect(response?.status()).toBe(200);
      expect(response?.headers()['x-cache']).toBe('MISS');

      expect((await page.getByTestId('product-name').textContent())?.trim()).toBe(
        product.body.name,
      );
      expect((await page.getByTestId('product-price').textContent())?.trim()).toBe(price);
      const badge = (await page.getByTestId('stock-badge').textContent())?.trim();
      expect(badge).toBe(stockBadgeFor(stock.body.stock, config.STOREFRONT_LOW_STOCK_BELOW).label);
      expect(await page.getByTestId('stock-badge').isVisible()).toBe(true);
      // Varnish assembled the page: the browser never sees an include tag.
      expect(await page.content()).not.toContain('<esi:');
      expect(await page.title()).toContain(product.body.name);

      // Another shopper (a context of its own: no browser cache, no conditional request).
      const other = await browser.newContext();
      try {
        const otherPage = await other.newPage();
        const again = await otherPage.goto(`${urls.varnish}/p/${PRODUCT_ID}`, {
          waitUntil: 'load',
        });
        expect(again?.status()).toBe(200);
        expect(again?.headers()['x-cache']).toBe('HIT');
        expect((await otherPage.getByTestId('product-name').textContent())?.trim()).toBe(
          product.body.name,
        );
      } finally {
        await other.close();
      }

      await screenshot(page, `product-${PRODUCT_ID}`);
    } finally {
      await context.close();
    }
  });
});
