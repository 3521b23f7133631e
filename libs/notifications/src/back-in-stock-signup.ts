import type { BackInStockSubscriptionView, StockLevel } from '@shop/contracts';
import type { BackInStockSubscription, BackInStockSubscribeResult } from '@shop/persistence';
import { BackInStockProductNotFoundError, ProductInStockError } from './back-in-stock-errors';
import { parseBackInStockRequest } from './back-in-stock-request';

/** The live ledger's figure of one product; null when the catalog has no such product. */
export interface StockLevelReader {
  get(productId: number): Promise<StockLevel | null>;
}

/** Where subscriptions are kept (BackInStockRepository). */
export interface SubscriptionWriter {
  subscribe(productId: number, email: string, at: Date): Promise<BackInStockSubscribeResult>;
}

export interface BackInStockSignupResult {
  subscription: BackInStockSubscriptionView;
  /** True for a new subscription (201), false for the same one asked for again (200). */
  created: boolean;
}

export function subscriptionView(
  subscription: BackInStockSubscription,
): BackInStockSubscriptionView {
  return {
    id: subscription.id,
    productId: subscription.productId,
    email: subscription.email,
    status: subscription.status,
    subscribedAt: subscription.subscribedAt.toISOString(),
    sentAt: subscription.sentAt === null ? null : subscription.sentAt.toISOString(),
  };
}

/**
 * `POST /notifications/back-in-stock`: a shopper asks to be emailed when a sold-out product comes
 * back. The figure comes from the live ledger, as the stock GET reads it: what can be sold now
 * (on hand minus holds), so a product whose last units sit in carts counts as sold out.
 *
 * Checked in this order, each before anything is written: the body (400), the product (404),
 * its stock (409 while there is some); then one row per (email, product), a repeat answering the
 * row it already has.
 */
export class BackInStockSignup {
  constructor(
    private readonly stock: StockLevelReader,
    private readonly subscriptions: SubscriptionWriter,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async subscribe(body: unknown): Promise<BackInStockSignupResult> {
    const request = parseBackInStockRequest(body);
    const level = await this.stock.get(request.productId);
    if (!level) throw new BackInStockProductNotFoundError(request.productId);
    if (level.stock > 0) throw new ProductInStockError(request.productId, level.stock);
    const result = await this.subscriptions.subscribe(
      request.productId,
      request.email,
      this.clock(),
    );
    return { subscription: subscriptionView(result.subscription), created: result.created };
  }
}
