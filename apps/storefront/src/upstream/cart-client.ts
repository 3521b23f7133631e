import type { OrderView } from '@shop/contracts';
import type { CheckoutInput, ShopCart } from '@shop/storefront';
import { fetchJson } from './fetch-json';
import { cartSchema, checkoutAcceptedSchema, orderSchema } from './schemas';

const SERVICE = 'cart-api';

/**
 * The cart API (in stock-api, `STOCK_API_URL`) on behalf of the shopping pages. Its errors come
 * back as the upstream errors: 404 → UpstreamNotFoundError; 400, 409 and 422 →
 * UpstreamRejectedError with the API's message (which names the field or what is left).
 */
export class CartClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 3000,
  ) {}

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  /** A new cart, empty or made with its first line held (refused: no cart is made). */
  create(firstLine?: { productId: number; quantity: number }): Promise<ShopCart> {
    return fetchJson(this.url('/carts'), cartSchema, {
      service: SERVICE,
      timeoutMs: this.timeoutMs,
      method: 'POST',
      ...(firstLine ? { body: firstLine } : {}),
    });
  }

  /** `timeoutMs` overrides the client's deadline (the header fragment must stay fast). */
  get(cartId: string, timeoutMs = this.timeoutMs): Promise<ShopCart> {
    return fetchJson(this.url(`/carts/${encodeURIComponent(cartId)}`), cartSchema, {
      service: SERVICE,
      timeoutMs,
    });
  }

  setQuantity(cartId: string, productId: number, quantity: number): Promise<ShopCart> {
    return fetchJson(
      this.url(`/carts/${encodeURIComponent(cartId)}/items/${productId}`),
      cartSchema,
      { service: SERVICE, timeoutMs: this.timeoutMs, method: 'PUT', body: { quantity } },
    );
  }

  removeLine(cartId: string, productId: number): Promise<ShopCart> {
    return fetchJson(
      this.url(`/carts/${encodeURIComponent(cartId)}/items/${productId}`),
      cartSchema,
      { service: SERVICE, timeoutMs: this.timeoutMs, method: 'DELETE' },
    );
  }

  /** 202 `{ orderId }`; the same key again answers the same order. */
  async checkout(
    cartId: string,
    input: CheckoutInput,
    idempotencyKey: string,
  ): Promise<{ orderId: string }> {
    const accepted = await fetchJson(
      this.url(`/carts/${encodeURIComponent(cartId)}/checkout`),
      checkoutAcceptedSchema,
      {
        service: SERVICE,
        timeoutMs: this.timeoutMs,
        method: 'POST',
        body: input,
        headers: { 'idempotency-key': idempotencyKey },
      },
    );
    return { orderId: accepted.orderId };
  }

  order(orderId: string): Promise<OrderView> {
    return fetchJson(this.url(`/orders/${encodeURIComponent(orderId)}`), orderSchema, {
      service: SERVICE,
      timeoutMs: this.timeoutMs,
    });
  }
}
