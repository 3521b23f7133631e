import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { OPAQUE_ID_PATTERN } from '@shop/contracts';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { cacheHeaders } from '@shop/http-cache';
import {
  BadPageRequest,
  CART_COOKIE,
  cartPage,
  type CheckoutField,
  checkoutFieldOf,
  checkoutPage,
  EMPTY_CHECKOUT_FORM,
  FOOTER_FRAGMENT,
  type FragmentComposer,
  HEADER_FRAGMENT,
  isShoppable,
  MENU_FRAGMENT,
  notifyRequestOf,
  notifyResultPage,
  orderPage,
  PageNotFound,
  parseAddToCartForm,
  parseCheckoutForm,
  parseProductIdParam,
  parseQuantityForm,
  quantityAfterAdding,
  type RawForm,
  type ShopCart,
  type ShopPageModel,
  stockFragment,
  type Visitor,
} from '@shop/storefront';
import { StorefrontPages } from '../pages/storefront-pages';
import type { HtmlResponse } from '../rendering/html-response';
import { ViewRenderer } from '../rendering/view-renderer';
import {
  CartClient,
  StockClient,
  UpstreamNotFoundError,
  UpstreamRejectedError,
  UpstreamUnavailableError,
} from '../upstream';

/** How long the browser keeps the cart cookie: as long as the cart API keeps a cart (7 days). */
const CART_COOKIE_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

/** What the shopper did, for the pages that answer a form. */
export interface ShopRequest {
  composer: FragmentComposer;
  visitor: Visitor;
}

function redirect(location: string, extraHeaders: Record<string, string> = {}): HtmlResponse {
  return {
    status: 303,
    headers: { ...cacheHeaders({ private: true }), Location: location, ...extraHeaders },
    html: '',
  };
}

/** `shippingAddress.country must be...` reads `country must be...` next to its field. */
function withoutPrefix(message: string): string {
  return message.replace(/^shippingAddress\./, '');
}

/**
 * The shopping pages and their forms: add to cart, the cart, checkout, the order confirmation.
 * Everything goes through the cart API; the browser keeps only the cart id, in an HttpOnly,
 * SameSite=Lax cookie. Every answer is per shopper and stored nowhere (`private, no-store`);
 * each form answers 303 on success (so a reload never posts again) or the page again with the
 * error on it. Also the sold-out badge's back-in-stock form, through stock-api, which answers a
 * page either way (see notifyBackInStock).
 */
@Injectable()
export class StorefrontShop {
  private readonly logger = new Logger(StorefrontShop.name);
  private readonly secureCookie: boolean;

  constructor(
    private readonly carts: CartClient,
    private readonly stock: StockClient,
    private readonly pages: StorefrontPages,
    private readonly views: ViewRenderer,
    @Inject(SHOP_CONFIG) config: ShopConfig,
  ) {
    this.secureCookie = config.PUBLIC_URL.startsWith('https:');
  }

  /** The cart cookie; `Secure` when the shop is served over HTTPS. */
  cartCookie(cartId: string): string {
    return [
      `${CART_COOKIE}=${cartId}`,
      'Path=/',
      `Max-Age=${CART_COOKIE_MAX_AGE_SECONDS}`,
      'HttpOnly',
      'SameSite=Lax',
      ...(this.secureCookie ? ['Secure'] : []),
    ].join('; ');
  }

  /** The visitor's cart, or null when they have none (no cookie, or a cart the API forgot). */
  private async currentCart(visitor: Visitor): Promise<ShopCart | null> {
    if (!visitor.cartId) return null;
    try {
      return await this.carts.get(visitor.cartId);
    } catch (error) {
      if (error instanceof UpstreamNotFoundError) return null;
      throw error;
    }
  }

  /** `POST /cart/items`: adds to the line (a new cart made with it if need be), then /cart. */
  async addToCart(request: ShopRequest, form: RawForm): Promise<HtmlResponse> {
    const { composer, visitor } = request;
    let createdCartId: string | undefined;
    const answer = await this.guard(request, async () => {
      const add = parseAddToCartForm(form);
      const existing = await this.currentCart(visitor);
      // A checked-out cart is closed: the next item starts a new one.
      const cart = isShoppable(existing) ? existing : null;
      const quantity = quantityAfterAdding(cart, add);
      if (!cart) {
        // The first line makes the cart and holds the line in one request; refused, no cart.
        try {
          createdCartId = (await this.carts.create({ productId: add.productId, quantity })).id;
        } catch (error) {
          return this.cartWithError(composer, null, error);
        }
        return redirect('/cart');
      }
      try {
        await this.carts.setQuantity(cart.id, add.productId, quantity);
      } catch (error) {
        return this.cartWithError(composer, cart, error);
      }
      return redirect('/cart');
    });
    if (createdCartId === undefined) return answer;
    return {
      ...answer,
      headers: { ...answer.headers, 'Set-Cookie': this.cartCookie(createdCartId) },
    };
  }

  /** `POST /cart/items/:productId`: the line's new quantity (0 removes it). */
  updateLine(request: ShopRequest, rawProductId: string, form: RawForm): Promise<HtmlResponse> {
    const { composer, visitor } = request;
    return this.guard(request, async () => {
      const productId = parseProductIdParam(rawProductId, 'productId');
      const quantity = parseQuantityForm(form);
      const cart = await this.currentCart(visitor);
      if (!isShoppable(cart)) return redirect('/cart');
      try {
        await this.carts.setQuantity(cart.id, productId, quantity);
      } catch (error) {
        return this.cartWithError(composer, cart, error);
      }
      return redirect('/cart');
    });
  }

  /** `POST /cart/items/:productId/remove`. A line already gone is no error: it is gone. */
  removeLine(request: ShopRequest, rawProductId: string): Promise<HtmlResponse> {
    const { composer, visitor } = request;
    return this.guard(request, async () => {
      const productId = parseProductIdParam(rawProductId, 'productId');
      const cart = await this.currentCart(visitor);
      if (!isShoppable(cart)) return redirect('/cart');
      try {
        await this.carts.removeLine(cart.id, productId);
      } catch (error) {
        if (!(error instanceof UpstreamNotFoundError)) {
          return this.cartWithError(composer, cart, error);
        }
      }
      return redirect('/cart');
    });
  }

  /** `GET /cart`. */
  cart(request: ShopRequest): Promise<HtmlResponse> {
    const { composer, visitor } = request;
    return this.guard(request, async () =>
      this.render(composer, cartPage(await this.currentCart(visitor)), 200),
    );
  }

  /** `GET /checkout`: the form, with a fresh Idempotency-Key; no cart to check out → /cart. */
  checkoutForm(request: ShopRequest): Promise<HtmlResponse> {
    const { composer, visitor } = request;
    return this.guard(request, async () => {
      const cart = await this.currentCart(visitor);
      if (!isShoppable(cart) || cart.items.length === 0) return redirect('/cart');
      const model = checkoutPage(cart, {
        values: EMPTY_CHECKOUT_FORM,
        errors: {},
        idempotencyKey: randomUUID(),
      });
      return this.render(composer, model, 200);
    });
  }

  /**
   * `POST /checkout`: validated here first, then by the cart API (whose 400 names the field).
   * The form's Idempotency-Key makes a double submit one order: the second post answers the same
   * order, even after the first closed the cart.
   */
  placeOrder(request: ShopRequest, form: RawForm): Promise<HtmlResponse> {
    const { composer, visitor } = request;
    return this.guard(request, async () => {
      const cart = await this.currentCart(visitor);
      if (!cart) return redirect('/cart');
      const parsed = parseCheckoutForm(form);
      const idempotencyKey = parsed.idempotencyKey ?? randomUUID();
      const again = (
        status: number,
        errors: Partial<Record<CheckoutField, string>>,
        error?: string,
        key = idempotencyKey,
      ): Promise<HtmlResponse> =>
        this.render(
          composer,
          checkoutPage(cart, {
            values: parsed.values,
            errors,
            idempotencyKey: key,
            ...(error === undefined ? {} : { error }),
          }),
          status,
        );
      if (!parsed.input) return again(400, parsed.errors);
      try {
        const { orderId } = await this.carts.checkout(cart.id, parsed.input, idempotencyKey);
        return redirect(`/orders/${orderId}`);
      } catch (error) {
        if (error instanceof UpstreamNotFoundError) return redirect('/cart');
        if (!(error instanceof UpstreamRejectedError)) throw error;
        if (error.status === 400) {
          const field = checkoutFieldOf(error.message);
          return field
            ? again(400, { [field]: withoutPrefix(error.message) })
            : again(400, {}, error.message);
        }
        // Checked out already with another form: the shopper's order is what they want to see.
        if (error.status === 409 && cart.status === 'ordered' && cart.orderId) {
          return redirect(`/orders/${cart.orderId}`);
        }
        if (error.status === 422) {
          // The key placed an order with other details (a resubmitted old form): a new form.
          return again(
            422,
            {},
            'This form was already used to place an order. Check the details and submit again.',
            randomUUID(),
          );
        }
        return again(error.status, {}, error.message);
      }
    });
  }

  /** `GET /orders/:id`: the confirmation, reloading itself while the order is pending. */
  order(request: ShopRequest, rawId: string): Promise<HtmlResponse> {
    const { composer } = request;
    return this.guard(request, async () => {
      if (!OPAQUE_ID_PATTERN.test(rawId)) throw new PageNotFound('There is no such order');
      try {
        return await this.render(composer, orderPage(await this.carts.order(rawId)), 200);
      } catch (error) {
        throw error instanceof UpstreamNotFoundError
          ? new PageNotFound('There is no such order')
          : error;
      }
    });
  }

  /**
   * `POST /notifications/back-in-stock` from a browser (Varnish sends the JSON clients, the badge
   * script among them, to stock-api): the form goes on to stock-api as JSON, which judges it, and
   * the page says what it answered in the script's words. 200 when signed up (stock-api's 201)
   * or already waiting (its 200); its status when it refused (400 naming the field, 404, 409 in
   * stock). No redirect: the product page is one cached copy for everyone and could not say what
   * this post did; a reload posts again, which stock-api answers 200 (nobody signs up twice).
   */
  notifyBackInStock(request: ShopRequest, form: RawForm): Promise<HtmlResponse> {
    const { composer } = request;
    return this.guard(request, async () => {
      const body = notifyRequestOf(form);
      let status = 200;
      let message: string | undefined;
      try {
        await this.stock.subscribeBackInStock(body);
      } catch (error) {
        if (error instanceof UpstreamNotFoundError) {
          status = 404;
        } else if (error instanceof UpstreamRejectedError) {
          status = error.status;
          message = error.message;
        } else {
          throw error;
        }
      }
      return this.render(composer, notifyResultPage(body, status, message), status);
    });
  }

  /** The cart page again, with what went wrong (not enough stock, a bad quantity...). */
  private async cartWithError(
    composer: FragmentComposer,
    cart: ShopCart | null,
    error: unknown,
  ): Promise<HtmlResponse> {
    if (error instanceof UpstreamRejectedError) {
      return this.render(
        composer,
        cartPage(await this.refreshed(cart), error.message),
        error.status,
      );
    }
    if (error instanceof UpstreamNotFoundError) {
      return this.render(composer, cartPage(await this.refreshed(cart), error.message), 404);
    }
    throw error;
  }

  /** The cart as it is now (an error changed nothing, but the page should be current). */
  private async refreshed(cart: ShopCart | null): Promise<ShopCart | null> {
    if (!cart) return null;
    try {
      return await this.carts.get(cart.id);
    } catch (error) {
      this.logger.warn(`cart ${cart.id.slice(0, 6)}… not re-read: ${String(error)}`);
      return cart;
    }
  }

  /** Bad forms are a 400 cart page; unknown things and outages the usual error pages. */
  private async guard(
    { composer, visitor }: ShopRequest,
    build: () => Promise<HtmlResponse>,
  ): Promise<HtmlResponse> {
    try {
      return await build();
    } catch (error) {
      if (error instanceof BadPageRequest) {
        // The shopper's cart as it is, with what was wrong with the form.
        const cart = await this.currentCart(visitor).catch(() => null);
        return this.render(composer, cartPage(cart, error.message), 400);
      }
      if (!(error instanceof UpstreamUnavailableError || error instanceof PageNotFound)) {
        this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      }
      const page = await this.pages.errorPage(composer, error);
      // Error pages of the shop are as personal as the rest of it: stored nowhere, no tags.
      const retryAfter = page.headers['Retry-After'];
      return {
        ...page,
        headers: {
          ...cacheHeaders({ private: true, esi: composer.emitsEsi }),
          ...(retryAfter === undefined ? {} : { 'Retry-After': retryAfter }),
        },
      };
    }
  }

  private async render(
    composer: FragmentComposer,
    model: ShopPageModel<object>,
    status: number,
  ): Promise<HtmlResponse> {
    const [slots, stock] = await Promise.all([
      composer.composeAll({
        menu: MENU_FRAGMENT,
        header: HEADER_FRAGMENT,
        footer: FOOTER_FRAGMENT,
      }),
      composer.composeEach(model.stockBadges ?? [], stockFragment),
    ]);
    const html = this.views.render(model.template, {
      title: model.title,
      view: model.view,
      refreshSeconds: model.refreshSeconds,
      slots,
      stock,
    });
    return {
      status,
      headers: cacheHeaders({ private: true, esi: composer.emitsEsi }),
      html,
    };
  }
}
