import { BackInStockSubscriptionView, StockLevel } from '@shop/contracts';
import { expectOk, fetchJson } from './fetch-json';
import { backInStockSubscriptionSchema, stockLevelSchema } from './schemas';
import { UpstreamNotFoundError } from './upstream-errors';

const SERVICE = 'stock-api';

/**
 * Reads stock levels from the stock API (`STOCK_API_URL`), and signs shoppers up for its
 * back-in-stock emails. `timeoutMs` bounds the badge reads, which must stay fast; a sign-up writes
 * MySQL and gets `writeTimeoutMs`.
 */
export class StockClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 1000,
    private readonly writeTimeoutMs = 3000,
  ) {}

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  /** The product's stock, or null when the ledger has never heard of it. */
  async level(productId: number): Promise<Pick<StockLevel, 'id' | 'stock' | 'version'> | null> {
    try {
      return await fetchJson(this.url(`/products/${productId}/stock`), stockLevelSchema, {
        service: SERVICE,
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      if (error instanceof UpstreamNotFoundError) return null;
      throw error;
    }
  }

  /**
   * `POST /notifications/back-in-stock` with `body` as it is: stock-api validates it. Its refusals
   * come back as the upstream errors: 404 → UpstreamNotFoundError (no such product); 400, 409 (in
   * stock) and other 4xx → UpstreamRejectedError with its message.
   */
  subscribeBackInStock(
    body: unknown,
  ): Promise<Pick<BackInStockSubscriptionView, 'id' | 'productId' | 'status'>> {
    return fetchJson(this.url('/notifications/back-in-stock'), backInStockSubscriptionSchema, {
      service: SERVICE,
      timeoutMs: this.writeTimeoutMs,
      method: 'POST',
      body,
    });
  }

  health(): Promise<void> {
    return expectOk(this.url('/health'), this.timeoutMs);
  }
}
