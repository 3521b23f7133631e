import { randomUUID } from 'node:crypto';
import type { BackInStockSubscriptionView } from '@shop/contracts';
import { createDatabase, type Database } from '@shop/persistence';
import type { Kysely } from 'kysely';
import { notifyResultText } from '@shop/storefront';
import { ensureAppRunning, killApp, startApp } from './support/apps';
import { launchChromium, screenshot } from './support/browser';
import { SmtpSinkClient } from './support/smtp-sink';
import { config, eventually, requestJson, setStock, urls } from './support/stack';

/*
 * Back-in-stock notifications (issue 14, item 3): POST /notifications/back-in-stock through
 * Varnish into MySQL, and the sync worker's back-in-stock-mail consumer mailing each subscriber
 * once over real SMTP (the stack's sink) when a stock PUT restocks the product, also across a
 * SIGKILL of the worker between two sends; and the sold-out badge's form in a browser without
 * JavaScript (Varnish sends its post to the storefront, which signs up through stock-api).
 * Products 1116-1118 and 1158 belong to this file.
 */

const BAD_INPUT_PRODUCT = 1116;
const RESTOCKED_PRODUCT = 1117;
const KILLED_PRODUCT = 1118;
const NO_SCRIPT_PRODUCT = 1158;
const json = { 'content-type': 'application/json' };

describe('back-in-stock notifications (real stack)', () => {
  const sink = new SmtpSinkClient();
  const run = randomUUID().slice(0, 8);
  const address = (who: string): string => `bis-${run}-${who}@example.com`;
  let db: Kysely<Database>;

  const subscribe = (body: unknown, headers: Record<string, string> = json) =>
    requestJson<BackInStockSubscriptionView & { statusCode?: number; message?: string }>(
      `${urls.varnish}/notifications/back-in-stock`,
      {
        method: 'POST',
        headers,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      },
    );

  /** The rows MySQL has for addresses of this run that contain `fragment`. */
  async function rowsLike(fragment: string) {
    return db
      .selectFrom('back_in_stock_subscriptions')
      .selectAll()
      .where('email', 'like', `%${run}${fragment}%`)
      .orderBy('id')
      .execute();
  }

  /** Every subscription of these addresses for the product is marked sent in MySQL. */
  async function allMarkedSent(productId: number, emails: readonly string[]): Promise<boolean> {
    const rows = await db
      .selectFrom('back_in_stock_subscriptions')
      .select(['email', 'status'])
      .where('product_id', '=', productId)
      .where('email', 'in', [...emails])
      .execute();
    return rows.length === emails.length && rows.every((row) => row.status === 'sent');
  }

  async function subscribeAll(productId: number, emails: readonly string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const email of emails) {
      const response = await subscribe({ productId, email });
      expect([response.status, response.body.status]).toEqual([201, 'pending']);
      ids.push(response.body.id);
    }
    return ids;
  }

  beforeAll(async () => {
    await sink.assertUp();
    db = createDatabase(config.MYSQL_URL, { connectionLimit: 2 });
  });

  afterAll(async () => {
    await sink.releaseAll().catch(() => undefined);
    await db?.destroy();
  });

  it('refuses bad input with a 4xx JSON error and writes nothing', async () => {
    await setStock(BAD_INPUT_PRODUCT, 0);
    await setStock(KILLED_PRODUCT, 4);
    const bad: [string, unknown, number, RegExp][] = [
      [
        'no @',
        { productId: BAD_INPUT_PRODUCT, email: address('bad1').replace('@', '') },
        400,
        /email/,
      ],
      [
        'a display name',
        { productId: BAD_INPUT_PRODUCT, email: `Ada <${address('bad2')}>` },
        400,
        /email/,
      ],
      [
        'too long',
        { productId: BAD_INPUT_PRODUCT, email: `${'x'.repeat(250)}${address('bad3')}` },
        400,
        /at most 254/,
      ],
      [
        'a number as email',
        { productId: BAD_INPUT_PRODUCT, email: 12 },
        400,
        /email must be a string/,
      ],
      ['no email', { productId: BAD_INPUT_PRODUCT }, 400, /email is required/],
      [
        'id as text',
        { productId: String(BAD_INPUT_PRODUCT), email: address('bad4') },
        400,
        /productId/,
      ],
      ['id 0', { productId: 0, email: address('bad5') }, 400, /productId/],
      ['negative id', { productId: -BAD_INPUT_PRODUCT, email: address('bad6') }, 400, /productId/],
      ['fractional id', { productId: 1116.5, email: address('bad7') }, 400, /productId/],
      ['id past INT UNSIGNED', { productId: 2 ** 32, email: address('bad8') }, 400, /productId/],
      [
        'an extra field',
        { productId: BAD_INPUT_PRODUCT, email: address('bad9'), admin: true },
        400,
        /unknown field.*admin/,
      ],
      ['an array', [BAD_INPUT_PRODUCT, address('bad10')], 400, /JSON object/],
      ['broken JSON', `{"productId":${BAD_INPUT_PRODUCT},"email":`, 400, /JSON/],
      [
        'unknown product',
        { productId: 4_294_967_295, email: address('bad11') },
        404,
        /4294967295 not found/,
      ],
      [
        'in stock',
        { productId: KILLED_PRODUCT, email: address('bad12') },
        409,
        /in stock \(4 left\)/,
      ],
    ];
    for (const [what, body, status, message] of bad) {
      const response = await subscribe(body);
      expect([what, response.status]).toEqual([what, status]);
      expect(response.body).toEqual({
        statusCode: status,
        error: expect.any(String),
        message: expect.stringMatching(message),
      });
    }
    // Not JSON at all: Fastify hands text/plain over as a string, which is no JSON object.
    const asText = await subscribe(
      { productId: BAD_INPUT_PRODUCT, email: address('bad13') },
      { 'content-type': 'text/plain' },
    );
    expect([asText.status, asText.body.message]).toEqual([
      400,
      expect.stringMatching(/JSON object/),
    ]);
    expect(await rowsLike('-bad')).toEqual([]);

    // The same address again, in another case and with spaces: the one subscription, 200.
    const first = await subscribe({ productId: BAD_INPUT_PRODUCT, email: address('dup') });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      productId: BAD_INPUT_PRODUCT,
      email: address('dup'),
      status: 'pending',
      sentAt: null,
    });
    const again = await subscribe({
      productId: BAD_INPUT_PRODUCT,
      email: `  ${address('dup').toUpperCase()} `,
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect((await rowsLike('-dup')).map((row) => row.id)).toEqual([first.body.id]);
  });

  it('signs up from the sold-out badge in a browser without JavaScript: a page says so, MySQL has it', async () => {
    await setStock(NO_SCRIPT_PRODUCT, 0);
    const email = address('noscript');
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      const form = page
        .locator(`[data-live-stock="${NO_SCRIPT_PRODUCT}"]`)
        .first()
        .getByTestId('notify-form');
      /** Submits the form as a browser does (urlencoded, Accept preferring HTML); its answer. */
      const submit = async (typed: string) => {
        await form.getByTestId('notify-email').fill(typed);
        const [response] = await Promise.all([
          page.waitForResponse(
            (answer) =>
              answer.url() === `${urls.varnish}/notifications/back-in-stock` &&
              answer.request().method() === 'POST',
          ),
          form.getByRole('button', { name: 'Notify me' }).click(),
        ]);
        await page.waitForLoadState('load');
        return response;
      };
      // The sync worker purges the cached badge fragment shortly after the change.
      const openSoldOut = () =>
        eventually(
          async () => {
            await page.goto(`${urls.varnish}/p/${NO_SCRIPT_PRODUCT}`, { waitUntil: 'load' });
            return form.isVisible();
          },
          { what: `the notify form on the sold-out page of ${NO_SCRIPT_PRODUCT}`, intervalMs: 50 },
        );

      await openSoldOut();
      const response = await submit(email);
      expect(response.status()).toBe(200);
      expect(response.request().headers()['content-type']).toBe(
        'application/x-www-form-urlencoded',
      );
      expect(response.headers()['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers()['cache-control']).toBe('private, no-store');
      expect(response.headers()['vary']).toMatch(/Accept/);
      expect(page.url()).toBe(`${urls.varnish}/notifications/back-in-stock`);
      expect((await page.getByTestId('notify-result').textContent())?.trim()).toBe(
        notifyResultText(201, undefined),
      );
      await screenshot(page, `back-in-stock-${NO_SCRIPT_PRODUCT}-no-script`);
      // Stored, as stock-api's JSON sign-up stores it.
      expect(await rowsLike('-noscript')).toEqual([
        expect.objectContaining({ product_id: NO_SCRIPT_PRODUCT, email, status: 'pending' }),
      ]);

      // Back to the product, and the same address again: already waiting, the same words.
      await page.getByTestId('notify-back').click();
      await page.waitForURL(`${urls.varnish}/p/${NO_SCRIPT_PRODUCT}`);
      expect(await form.isVisible()).toBe(true);
      const again = await submit(email.toUpperCase());
      expect(again.status()).toBe(200);
      expect((await page.getByTestId('notify-result').textContent())?.trim()).toBe(
        notifyResultText(200, undefined),
      );
      expect((await rowsLike('-noscript')).map((row) => row.email)).toEqual([email]);

      // An address the browser's own check lets through (no dot after the @) but stock-api
      // refuses: its 400 and its words on the page, nothing stored.
      await openSoldOut();
      const bad = await submit(address('noscript-bad').replace('@example.com', '@localhost'));
      expect(bad.status()).toBe(400);
      expect((await page.getByTestId('notify-result').textContent())?.trim()).toMatch(/email/);
      expect(await rowsLike('-noscript-bad')).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('mails each of three subscribers once when the product is restocked', async () => {
    await setStock(RESTOCKED_PRODUCT, 0);
    const emails = ['a', 'b', 'c'].map((who) => address(`restock-${who}`));
    const ids = await subscribeAll(RESTOCKED_PRODUCT, emails);

    await setStock(RESTOCKED_PRODUCT, 5);
    await eventually(async () => allMarkedSent(RESTOCKED_PRODUCT, emails), {
      what: 'three subscriptions marked sent',
    });
    // Marked sent only after the sink's 250: every email is in the sink by now, once.
    expect(await sink.counts(emails)).toEqual([1, 1, 1]);
    for (const [index, email] of emails.entries()) {
      const [message] = await sink.messagesTo(email);
      expect(message.subject).toMatch(/^Back in stock: /);
      expect(message.messageId).toMatch(new RegExp(`^<back-in-stock\\.${ids[index]}\\.1@`));
      expect(message.raw).toContain(`/p/${RESTOCKED_PRODUCT}`);
    }
    // A sign-up for the product while it is in stock is refused; the three stay as they are.
    expect((await subscribe({ productId: RESTOCKED_PRODUCT, email: emails[0] })).status).toBe(409);
    expect(await sink.counts(emails)).toEqual([1, 1, 1]);
  });

  it('mails each subscriber once when the notifier is killed between two sends and restarted', async () => {
    await setStock(KILLED_PRODUCT, 0);
    const emails = ['a', 'b', 'c'].map((who) => address(`kill-${who}`));
    await subscribeAll(KILLED_PRODUCT, emails);
    // The second email stops at DATA, unanswered: the worker has sent and marked the first,
    // and waits on the second, when it is killed.
    await sink.hold(emails[1]);

    try {
      await setStock(KILLED_PRODUCT, 3);
      await eventually(
        async () => {
          const { holds } = await sink.holds();
          const held = holds.some((hold) => hold.to === emails[1] && hold.state === 'holding');
          return held && (await sink.counts(emails)).join() === '1,0,0';
        },
        { what: 'the first email accepted and the second held at DATA' },
      );
      expect(await allMarkedSent(KILLED_PRODUCT, [emails[0]])).toBe(true);

      await killApp('sync-worker');
      // The sink saw the worker hang up on the held message: it never accepted it.
      await eventually(
        async () => (await sink.holds()).dropped.some((drop) => drop.to.includes(emails[1])),
        { what: 'the held second email dropped with its connection' },
      );
      expect(await sink.counts(emails)).toEqual([1, 0, 0]);

      await startApp('sync-worker');
      await eventually(async () => allMarkedSent(KILLED_PRODUCT, emails), {
        what: 'the three subscriptions marked sent after the restart',
        timeoutMs: 60_000,
      });
      expect(await sink.counts(emails)).toEqual([1, 1, 1]);
    } finally {
      await sink.releaseAll();
      await ensureAppRunning('sync-worker');
    }
  });
});
