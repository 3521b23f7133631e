import type { Browser } from 'playwright-core';
import { launchChromium, screenshot } from './support/browser';
import type { Product } from '@shop/contracts';
import { adminHeaders, requestJson, urls } from './support/stack';

/**
 * Issue 13's acceptance in a real browser (Debian's chromium, driven by playwright-core), through
 * Varnish: product page → add to cart → cart page → checkout form (one field wrong, then right)
 * → confirmation page. A screenshot of each step goes to test-artifacts/. Product 1110 belongs
 * to this file.
 */
const PRODUCT_ID = 1110;

describe('checkout in a real browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('goes from the product page to a confirmation page, with a screenshot of each step', async () => {
    const product = await requestJson<Product>(`${urls.catalog}/products/${PRODUCT_ID}`);
    expect(product.status).toBe(200);
    const stock = await requestJson(`${urls.varnish}/products/${PRODUCT_ID}/stock`, {
      method: 'PUT',
      headers: adminHeaders,
      body: JSON.stringify({ stock: 10, action: 'set' }),
    });
    expect(stock.status).toBe(200);

    // The forms need no script (the pages load only the live badge script): every step is a
    // plain form post and a redirect.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();

      // 1. The product page.
      await page.goto(`${urls.varnish}/p/${PRODUCT_ID}`, { waitUntil: 'load' });
      expect((await page.getByTestId('product-name').textContent())?.trim()).toBe(
        product.body.name,
      );
      await screenshot(page, 'checkout-1-product');

      // 2. Add to cart → the cart page.
      await page.getByTestId('add-to-cart').getByRole('button', { name: 'Add to cart' }).click();
      await page.waitForURL(`${urls.varnish}/cart`);
      expect((await page.getByTestId('cart-line-name').textContent())?.trim()).toBe(
        product.body.name,
      );
      expect((await page.getByTestId('cart-count').textContent())?.trim()).toBe('Cart (1)');
      const cookies = await context.cookies(urls.varnish);
      const cartCookie = cookies.find((cookie) => cookie.name === 'cart');
      expect(cartCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      await screenshot(page, 'checkout-2-cart');

      // 3. The checkout form, filled in with one field wrong.
      await page.getByTestId('to-checkout').click();
      await page.waitForURL(`${urls.varnish}/checkout`);
      await page.fill('#checkout-email', 'ada-at-example');
      await page.fill('#checkout-name', 'Ada Lovelace');
      await page.fill('#checkout-line1', '12 Analytical Row');
      await page.fill('#checkout-city', 'London');
      await page.fill('#checkout-postcode', 'N1 9GU');
      await page.fill('#checkout-country', 'GB');
      await screenshot(page, 'checkout-3-checkout-form');
      await page.getByTestId('place-order').click();
      await page.waitForLoadState('load');

      // 4. The same form again, the error next to its field, the rest kept.
      expect((await page.getByTestId('error-email').textContent())?.trim()).toBe(
        'Enter an email address such as ada@example.com',
      );
      expect(await page.inputValue('#checkout-name')).toBe('Ada Lovelace');
      expect(await page.getByTestId('error-name').count()).toBe(0);
      await screenshot(page, 'checkout-4-checkout-error');

      // 5. Corrected → the confirmation page.
      await page.fill('#checkout-email', 'ada@example.com');
      await page.getByTestId('place-order').click();
      await page.waitForURL(/\/orders\/[0-9a-f]{32}$/);
      const orderId = new URL(page.url()).pathname.slice('/orders/'.length);
      expect((await page.getByTestId('order-id').textContent())?.trim()).toBe(orderId);
      // Pending until the order worker has it in MySQL; the page reloads itself while pending.
      await page
        .getByTestId('order-status')
        .filter({ hasText: 'confirmed' })
        .waitFor({ timeout: 15_000 });
      expect((await page.getByTestId('cart-count').textContent())?.trim()).toBe('Cart (0)');
      await screenshot(page, 'checkout-5-confirmation');
    } finally {
      await context.close();
    }
  });
});
