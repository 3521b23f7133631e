// No imports, no Node or DOM globals: the storefront renders its ESI badge with this module, and
// tsconfig.assets.json compiles the very same file for the browser script, so the page and the
// script can never disagree on the wording or the threshold.

export type StockState = 'in-stock' | 'low-stock' | 'sold-out' | 'unknown';

export interface StockBadge {
  state: StockState;
  label: string;
  /** Units that can be sold, when known. */
  stock: number | null;
  /** Whether the "notify me when it is back" form goes with the badge. */
  notify: boolean;
}

/**
 * The badge for a figure: below `lowStockBelow` units (STOREFRONT_LOW_STOCK_BELOW, which the
 * badge fragment hands the script in `data-low-stock-below`) it says how many are left. `null`:
 * the stock ledger does not know the product (nothing to sell, and nothing to be notified of);
 * `undefined`: the figure could not be read.
 */
export function stockBadgeFor(stock: number | null | undefined, lowStockBelow: number): StockBadge {
  if (stock === undefined) {
    return { state: 'unknown', label: 'Stock unavailable', stock: null, notify: false };
  }
  if (stock === null) return { state: 'sold-out', label: 'Sold out', stock: 0, notify: false };
  if (stock <= 0) return { state: 'sold-out', label: 'Sold out', stock: 0, notify: true };
  if (stock < lowStockBelow) {
    return { state: 'low-stock', label: `Only ${stock} left`, stock, notify: false };
  }
  return { state: 'in-stock', label: 'In stock', stock, notify: false };
}

/** One product's figure as the live gateway sends it. */
export interface LiveFigure {
  id: number;
  stock: number;
  version: number;
}

function isWholeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * A `{"type":"stock",...}` frame of `ws /live`, or null for anything else (an error frame, or a
 * frame this script does not understand, which must not break the badges).
 */
export function parseLiveFigure(data: unknown): LiveFigure | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { type, id, stock, version } = value as Record<string, unknown>;
  if (type !== 'stock' || !isWholeNumber(id) || id === 0) return null;
  if (!isWholeNumber(stock) || !isWholeNumber(version)) return null;
  return { id, stock, version };
}

/**
 * The newest version seen per product. Delivery order is not guaranteed across reconnects (a
 * second socket may answer a subscribe with a figure older than one the first socket delivered),
 * so a figure counts only when its version is higher than every one before it.
 */
export class NewestVersions {
  private readonly versions = new Map<number, number>();

  /** True when `version` is newer than anything seen for `id` (and remembers it). */
  accept(id: number, version: number): boolean {
    const known = this.versions.get(id);
    if (known !== undefined && version <= known) return false;
    this.versions.set(id, version);
    return true;
  }

  get(id: number): number | undefined {
    return this.versions.get(id);
  }
}

/** Most ids one `subscribe` frame may carry (the gateway's MAX_LIVE_PRODUCTS). */
export const SUBSCRIBE_BATCH = 200;

/** The subscribe frames for these products, at most SUBSCRIBE_BATCH ids each, no repeats. */
export function subscribeFrames(ids: Iterable<number>): string[] {
  const unique = [...new Set(ids)];
  const frames: string[] = [];
  for (let start = 0; start < unique.length; start += SUBSCRIBE_BATCH) {
    const products = unique.slice(start, start + SUBSCRIBE_BATCH);
    frames.push(JSON.stringify({ type: 'subscribe', products }));
  }
  return frames;
}

/** What the notify form shows after POST /notifications/back-in-stock answered `status`. */
export function notifyResultText(status: number, message: string | undefined): string {
  if (status === 200 || status === 201) return 'Thanks! We will email you when it is back.';
  if (status === 409) return 'Good news: it is back in stock.';
  if (status === 404) return 'This product is no longer sold.';
  if (status === 400) return message ?? 'Please check your email address.';
  if (status === 429) return 'Too many requests; please try again in a moment.';
  return 'Sorry, we could not sign you up; please try again.';
}
