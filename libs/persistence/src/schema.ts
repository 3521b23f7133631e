import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Row types of every table, as mysql2 hands them back with the options `createDatabase` sets:
 * DECIMAL and BIGINT as numbers, DATETIME(3) as UTC `Date`s. Columns filled by the database are
 * `Generated`, so inserts may leave them out.
 */
export interface Database {
  categories: CategoriesTable;
  products: ProductsTable;
  product_categories: ProductCategoriesTable;
  stock: StockTable;
  outbox: OutboxTable;
  stock_ledger_epochs: StockLedgerEpochsTable;
  stock_barriers: StockBarriersTable;
}

/** DATETIME(3) with a database default: optional on insert. */
type DefaultedTimestamp = ColumnType<Date, Date | undefined, Date>;

export interface CategoriesTable {
  id: Generated<number>;
  slug: string;
  name: string;
  parent_id: number | null;
  position: ColumnType<number, number | undefined, number>;
}

export interface ProductsTable {
  id: Generated<number>;
  sku: string;
  name: string;
  description: string;
  price: number;
  /** Starts at 1 and grows by one on every write; events carry it so consumers can order them. */
  version: ColumnType<number, number | undefined, number>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface ProductCategoriesTable {
  product_id: number;
  category_id: number;
  /** Keeps the order in which the admin listed the categories. */
  position: ColumnType<number, number | undefined, number>;
}

export interface StockTable {
  product_id: number;
  quantity: number;
  version: number;
  updated_at: DefaultedTimestamp;
}

export interface OutboxTable {
  id: Generated<number>;
  aggregate_type: string;
  aggregate_id: string;
  event_type: string;
  /** JSON text. LONGTEXT on both servers: MariaDB's JSON is a LONGTEXT alias anyway. */
  payload: string;
  created_at: DefaultedTimestamp;
  published_at: Date | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  /** The request id of the write (AMQP `correlationId`); null without one. */
  correlation_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface StockLedgerEpochsTable {
  epoch: number;
  started_at: DefaultedTimestamp;
  reason: string;
}

export interface StockBarriersTable {
  token: string;
  reached_at: DefaultedTimestamp;
}

export type CategoryRow = Selectable<CategoriesTable>;
export type ProductRow = Selectable<ProductsTable>;
export type NewProductRow = Insertable<ProductsTable>;
export type ProductRowUpdate = Updateable<ProductsTable>;
export type StockRow = Selectable<StockTable>;
export type OutboxRow = Selectable<OutboxTable>;
