/* In-memory stand-ins for the services the sync logic calls, for the unit tests. */
import type { ProductDocument, StockLevel } from '@shop/contracts';
import type { PurgePlan, PurgeResult } from '@shop/http-cache';
import type {
  ProductPage,
  ProductRecord,
  StockApplyResult,
  StockPage,
  VersionedStockRow,
} from '@shop/persistence';
import type { StockFlag } from '@shop/search';
import type { StockRestoreResult, StockRestoreRow, StockSnapshotPage } from '@shop/stock';

/** Every call of every fake, in order, so tests can assert what happened before what. */
export type CallLog = string[];

const EPOCH = new Date(0).toISOString();

function iso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

export function product(id: number, overrides: Partial<ProductRecord> = {}): ProductRecord {
  return {
    id,
    sku: `SKU-${id}`,
    name: `Product ${id}`,
    description: `About product ${id}`,
    price: 10 + id,
    categories: ['misc'],
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

export class FakeProducts {
  readonly records = new Map<number, ProductRecord>();
  constructor(
    private readonly log: CallLog = [],
    records: ProductRecord[] = [],
  ) {
    for (const record of records) this.records.set(record.id, record);
  }

  findByIds(ids: readonly number[]): Promise<ProductRecord[]> {
    this.log.push(`products.findByIds ${ids.join(',')}`);
    return Promise.resolve(
      [...new Set(ids)]
        .filter((id) => this.records.has(id))
        .sort((a, b) => a - b)
        .map((id) => structuredClone(this.records.get(id)!)),
    );
  }

  listPage(afterId: number, limit: number): Promise<ProductPage> {
    const items = [...this.records.values()]
      .filter((record) => record.id > afterId)
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
      .map((record) => structuredClone(record));
    const last = items.at(-1);
    return Promise.resolve({ items, nextAfterId: last && items.length === limit ? last.id : null });
  }
}

/** MySQL's stock table with the repository's version rules; `productIds` are the products that exist. */
export class FakeStockRows {
  readonly rows = new Map<number, StockLevel>();
  readonly productIds: Set<number>;
  constructor(
    productIds: Iterable<number>,
    private readonly log: CallLog = [],
  ) {
    this.productIds = new Set(productIds);
  }

  set(id: number, stock: number, version: number, updatedAt = '2025-01-01T00:00:00.000Z'): void {
    this.rows.set(id, { id, stock, version, updatedAt });
  }

  applyVersioned(rows: readonly VersionedStockRow[]): Promise<StockApplyResult> {
    this.log.push(
      `mysql.applyVersioned ${rows.map((row) => `${row.productId}@${row.version}`).join(',')}`,
    );
    return Promise.resolve(this.upsert(rows, false));
  }

  readonly barriers = new Set<string>();

  recordBarriers(tokens: readonly string[]): Promise<void> {
    this.log.push(`mysql.recordBarriers ${tokens.join(',')}`);
    for (const token of tokens) this.barriers.add(token);
    return Promise.resolve();
  }

  overwrite(rows: readonly VersionedStockRow[]): Promise<StockApplyResult> {
    this.log.push(
      `mysql.overwrite ${rows.map((row) => `${row.productId}@${row.version}`).join(',')}`,
    );
    return Promise.resolve(this.upsert(rows, true));
  }

  findByIds(ids: readonly number[]): Promise<StockLevel[]> {
    return Promise.resolve(
      [...new Set(ids)]
        .filter((id) => this.rows.has(id))
        .sort((a, b) => a - b)
        .map((id) => ({ ...this.rows.get(id)! })),
    );
  }

  page(afterId: number, limit: number): Promise<StockPage> {
    const items = [...this.rows.values()]
      .filter((row) => row.id > afterId)
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
      .map((row) => ({ ...row }));
    const last = items.at(-1);
    return Promise.resolve({ items, nextAfterId: last && items.length === limit ? last.id : null });
  }

  private upsert(rows: readonly VersionedStockRow[], always: boolean): StockApplyResult {
    const latest = new Map<number, VersionedStockRow>();
    for (const row of rows) {
      const seen = latest.get(row.productId);
      if (!seen || row.version > seen.version) latest.set(row.productId, row);
    }
    const result: StockApplyResult = {
      received: latest.size,
      applied: 0,
      stale: 0,
      unknownProductIds: [],
    };
    for (const row of latest.values()) {
      if (!this.productIds.has(row.productId)) {
        result.unknownProductIds.push(row.productId);
        continue;
      }
      const stored = this.rows.get(row.productId);
      if (always || !stored || row.version > stored.version) {
        this.rows.set(row.productId, {
          id: row.productId,
          stock: row.quantity,
          version: row.version,
          updatedAt: iso(row.updatedAt),
        });
        result.applied += 1;
      } else {
        result.stale += 1;
      }
    }
    return result;
  }
}

/** The Redis ledger: known ids, level hashes, and the restore rule (never lower a version). */
export class FakeLedger {
  readonly known = new Set<number>();
  readonly levels = new Map<number, StockLevel>();
  ready = true;
  /** Called after each getMany, e.g. to move the stock under a consumer's feet. */
  afterRead: (() => void) | undefined;
  failReads = false;

  constructor(private readonly log: CallLog = []) {}

  set(id: number, stock: number, version: number, updatedAt = '2025-01-01T00:00:00.000Z'): void {
    this.known.add(id);
    this.levels.set(id, { id, stock, version, updatedAt });
  }

  getMany(ids: readonly number[]): Promise<(StockLevel | null)[]> {
    this.log.push(`ledger.getMany ${ids.join(',')}`);
    if (this.failReads) return Promise.reject(new Error('Redis is down'));
    if (!this.ready) return Promise.reject(new Error('ledger not ready'));
    const result = ids.map((id) => {
      if (!this.known.has(id)) return null;
      return { ...(this.levels.get(id) ?? { id, stock: 0, version: 0, updatedAt: EPOCH }) };
    });
    this.afterRead?.();
    return Promise.resolve(result);
  }

  async snapshot(afterId = 0, count = 500): Promise<StockSnapshotPage> {
    const ids = [...this.known]
      .filter((id) => id > afterId)
      .sort((a, b) => a - b)
      .slice(0, count);
    const levels = (await this.getMany(ids)).filter((level): level is StockLevel => level !== null);
    return { levels, nextAfterId: ids.length === count ? ids[ids.length - 1] : null };
  }

  restore(rows: readonly StockRestoreRow[]): Promise<StockRestoreResult> {
    this.log.push(`ledger.restore ${rows.map((row) => `${row.id}@${row.version}`).join(',')}`);
    const result: StockRestoreResult = { restoredIds: [], unchangedIds: [] };
    for (const row of rows) {
      const current = this.levels.get(row.id);
      if (!current || current.version < row.version) {
        this.levels.set(row.id, {
          id: row.id,
          stock: row.stock,
          version: row.version,
          updatedAt: iso(row.updatedAt),
        });
        result.restoredIds.push(row.id);
      } else {
        result.unchangedIds.push(row.id);
      }
    }
    return Promise.resolve(result);
  }

  isReady(): Promise<boolean> {
    return Promise.resolve(this.ready);
  }

  register(ids: readonly number[]): Promise<number> {
    this.log.push(`registry.register ${ids.join(',')}`);
    let added = 0;
    for (const id of ids) {
      if (!this.known.has(id)) added += 1;
      this.known.add(id);
    }
    return Promise.resolve(added);
  }

  unregister(ids: readonly number[]): Promise<number> {
    this.log.push(`registry.unregister ${ids.join(',')}`);
    let removed = 0;
    for (const id of ids) {
      if (this.known.delete(id)) removed += 1;
      // As ProductIdRegistry: the level goes with the registration.
      this.levels.delete(id);
    }
    return Promise.resolve(removed);
  }

  async *levelIds(): AsyncGenerator<number[]> {
    const ids = [...this.levels.keys()];
    if (ids.length > 0) yield await Promise.resolve(ids);
  }
}

export class FakeIndexer {
  readonly documents = new Map<number, ProductDocument>();
  /** Called after each write, e.g. to let a competing writer in. */
  afterWrite: (() => void) | undefined;

  constructor(private readonly log: CallLog = []) {}

  /** The refresh option of every upsert and remove. */
  readonly refreshes: unknown[] = [];

  upsert(products: readonly ProductDocument[], options: { refresh?: unknown } = {}): Promise<void> {
    this.refreshes.push(options.refresh);
    if (products.length === 0) return Promise.resolve();
    this.log.push(`es.upsert ${products.map((p) => p.id).join(',')}`);
    for (const document of products) this.documents.set(document.id, structuredClone(document));
    this.afterWrite?.();
    return Promise.resolve();
  }

  remove(ids: readonly number[], options: { refresh?: unknown } = {}): Promise<void> {
    this.refreshes.push(options.refresh);
    if (ids.length === 0) return Promise.resolve();
    this.log.push(`es.remove ${ids.join(',')}`);
    for (const id of ids) this.documents.delete(id);
    this.afterWrite?.();
    return Promise.resolve();
  }

  setInStockMany(flags: readonly StockFlag[]): Promise<number> {
    this.log.push(`es.setInStock ${flags.map((f) => `${f.id}=${f.inStock}`).join(',')}`);
    let found = 0;
    for (const { id, inStock } of flags) {
      const document = this.documents.get(id);
      if (document) {
        document.inStock = inStock;
        found += 1;
      }
    }
    this.afterWrite?.();
    return Promise.resolve(found);
  }

  async *iterateDocuments(batchSize = 1000): AsyncGenerator<ProductDocument[]> {
    let afterId = 0;
    for (;;) {
      const page = [...this.documents.values()]
        .filter((document) => document.id > afterId)
        .sort((a, b) => a.id - b.id)
        .slice(0, batchSize)
        .map((document) => structuredClone(document));
      if (page.length > 0) yield await Promise.resolve(page);
      if (page.length < batchSize) return;
      afterId = page[page.length - 1].id;
    }
  }
}

export class FakePurger {
  readonly plans: PurgePlan[] = [];
  /** Fail this many calls before succeeding. */
  failures = 0;

  constructor(private readonly log: CallLog = []) {}

  purge(plan: PurgePlan): Promise<PurgeResult> {
    this.log.push(`purge hard=${plan.hard.join(' ')} soft=${plan.soft.join(' ')}`);
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new Error('Varnish PURGE failed on http://varnish: ECONNREFUSED'));
    }
    this.plans.push(plan);
    return Promise.resolve({ purged: plan.hard.length + plan.soft.length, hosts: [] });
  }
}
