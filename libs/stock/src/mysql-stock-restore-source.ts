import type {
  ProductRepository,
  StockLedgerEpochRepository,
  StockRepository,
} from '@shop/persistence';
import type { PublishedStockEvents } from './published-stock-events';
import type { StockRestoreSource } from './stock-ledger-restorer';
import type { StockRestoreRow } from './stock-ledger';

const PAGE_SIZE = 1000;

/** MySQL, the source of truth, as what the ledger is rebuilt from when Redis comes back empty. */
export class MysqlStockRestoreSource implements StockRestoreSource {
  constructor(
    private readonly products: Pick<ProductRepository, 'allIds'>,
    private readonly stock: Pick<StockRepository, 'page'>,
    private readonly epochs: Pick<StockLedgerEpochRepository, 'begin'>,
    private readonly published: Pick<PublishedStockEvents, 'awaitAppliedInMysql'>,
  ) {}

  awaitPublishedEvents(signal: AbortSignal): Promise<void> {
    return this.published.awaitAppliedInMysql(signal);
  }

  beginEpoch(reason: string): Promise<{ epoch: number; versionFloor: number }> {
    return this.epochs.begin(reason);
  }

  async *productIds(): AsyncIterable<readonly number[]> {
    const ids = await this.products.allIds();
    for (let start = 0; start < ids.length; start += PAGE_SIZE) {
      yield ids.slice(start, start + PAGE_SIZE);
    }
  }

  async *stockRows(): AsyncIterable<readonly StockRestoreRow[]> {
    let afterId = 0;
    for (;;) {
      const page = await this.stock.page(afterId, PAGE_SIZE);
      if (page.items.length > 0) yield page.items;
      if (page.nextAfterId === null) return;
      afterId = page.nextAfterId;
    }
  }
}
