import { StockLevel } from '@shop/contracts';
import { expectOk, fetchJson } from './fetch-json';
import { stockLevelSchema } from './schemas';
import { UpstreamNotFoundError } from './upstream-errors';

const SERVICE = 'stock-api';

/** Reads stock levels from the stock API (`STOCK_API_URL`). */
export class StockClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 1000,
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

  health(): Promise<void> {
    return expectOk(this.url('/health'), this.timeoutMs);
  }
}
