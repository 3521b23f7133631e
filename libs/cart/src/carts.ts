import { randomBytes } from 'node:crypto';
import {
  ORDER_STATUSES,
  orderPlacedEventSchema,
  parseProductId,
  type OrderStatus,
  type OrderView,
} from '@shop/contracts';
import {
  DEFAULT_STOCK_KEY_PREFIX,
  LedgerNotReadyError,
  LedgerUnavailableError,
  StockKeys,
  validateIdempotencyKey,
} from '@shop/stock';
import { ReplicaWait, type RedisClient } from '@shop/redis';
import {
  CartChangedError,
  CartClosedError,
  CartEmptyError,
  CartError,
  CartLineLimitError,
  CartLineNotFoundError,
  CartNotFoundError,
  CartProductNotFoundError,
  CartStockConflictError,
  CheckoutKeyReusedError,
  InvalidCartRequestError,
  OrderNotFoundError,
  type UnavailableLine,
} from './cart-errors';
import { CartKeys, isOpaqueId } from './cart-keys';
import {
  buildOrderPlaced,
  CART_STATUSES,
  cartDigest,
  checkoutFingerprint,
  encodeLineInfo,
  MAX_CART_LINES,
  toCartView,
  toCents,
  validateLineQuantity,
  type CartStatus,
  type CartView,
  type CheckoutInput,
  type StoredCart,
} from './cart-model';
import { CartScriptCommands, withCartScripts } from './cart-scripts';

/** Where a cart line's name and price come from when it is added. */
export interface CartProductCatalog {
  /** The product's name and current price (major units); null when the catalog has none. */
  find(productId: number): Promise<{ name: string; price: number } | null>;
}

export interface CartsOptions {
  /** CART_HOLD_SECONDS: how long an untouched cart holds its units. */
  holdSeconds: number;
  /** Cart keys' prefix, default `shop:` (see cart-keys.ts). */
  keyPrefix?: string;
  /** The stock ledger's prefix, default `stock:` (see stock-keys.ts). */
  stockKeyPrefix?: string;
  /** STOCK_SHARDS (default 1). */
  stockShards?: number;
  /** How long an expired or checked-out cart can still be read. Default 7 days. */
  retentionSeconds?: number;
  /** How long Redis keeps a placed order (MySQL keeps it for good). Default 30 days. */
  orderTtlSeconds?: number;
  /** How long a checkout's Idempotency-Key answers the same order. Default 24 h. */
  idempotencyTtlSeconds?: number;
}

export interface CheckoutResult {
  orderId: string;
  /** True when the Idempotency-Key had already placed this order. */
  replayed: boolean;
}

type ScriptReply = readonly unknown[];

/** 128 random bits as 32 lowercase hex digits: cart and order ids. */
export function newOpaqueId(): string {
  return randomBytes(16).toString('hex');
}

/** A checkout retries when the cart changed between reading it and the atomic step. */
const CHECKOUT_ATTEMPTS = 5;

function asReply(value: unknown): ScriptReply {
  if (!Array.isArray(value) || typeof value[0] !== 'string') {
    throw new Error('Unexpected reply from a cart script');
  }
  return value;
}

function unavailableLines(reply: ScriptReply): UnavailableLine[] {
  const lines: UnavailableLine[] = [];
  for (let index = 1; index + 2 < reply.length + 1; index += 3) {
    lines.push({
      productId: Number(reply[index]),
      available: Math.max(0, Number(reply[index + 1])),
      requested: Number(reply[index + 2]),
    });
  }
  return lines;
}

/** `[field, value, field, value, ...]` (a Lua script's HGETALL) → `{ field: value }`. */
function fromFlatHash(flat: unknown): Record<string, string> {
  const hash: Record<string, string> = {};
  if (!Array.isArray(flat)) return hash;
  for (let index = 0; index + 1 < flat.length; index += 2) {
    hash[String(flat[index])] = String(flat[index + 1]);
  }
  return hash;
}

/** A cart from the scripts' cart state (cartState in cart-scripts.ts); CartNotFoundError if none. */
function storedCart(id: string, state: unknown): StoredCart {
  if (!Array.isArray(state)) throw new Error('Unexpected cart state from a cart script');
  const [status, expiresAt, orderId, lines, infos] = state as unknown[];
  if (!isCartStatus(status)) throw new CartNotFoundError();
  return {
    id,
    status,
    expiresAtMs: Number(expiresAt),
    ...(typeof orderId === 'string' && orderId !== '' ? { orderId } : {}),
    quantities: fromFlatHash(lines),
    infos: fromFlatHash(infos),
  };
}

function isCartStatus(value: unknown): value is CartStatus {
  return typeof value === 'string' && (CART_STATUSES as readonly string[]).includes(value);
}

function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}

/** Redis failures become a typed 503; the carts' own verdicts pass through. */
async function orUnavailable<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof CartError || error instanceof LedgerNotReadyError) throw error;
    throw new LedgerUnavailableError(error);
  }
}

/**
 * Shopping carts that hold stock, and checkout. Every change is one Lua step (cart-scripts.ts)
 * that checks and changes the cart and the stock levels together and appends the stock events
 * (and, at checkout, `order.placed`) to the stock ledger's outbox, which the stock-api's relay
 * publishes. Every refusal leaves Redis as it was.
 */
export class Carts {
  readonly keys: CartKeys;
  private readonly scripts: CartScriptCommands;
  private readonly stockPrefix: string;
  private readonly holdSeconds: number;
  private readonly retentionSeconds: number;
  private readonly orderTtlSeconds: number;
  private readonly idempotencyTtlSeconds: number;
  private readonly replicaWait: ReplicaWait;

  constructor(
    private readonly redis: RedisClient,
    private readonly products: CartProductCatalog,
    options: CartsOptions,
  ) {
    if (!Number.isSafeInteger(options.holdSeconds) || options.holdSeconds < 1) {
      throw new RangeError(`holdSeconds must be a positive integer, got ${options.holdSeconds}`);
    }
    this.keys = new CartKeys(options.keyPrefix);
    this.scripts = withCartScripts(redis);
    const stockKeys = new StockKeys(
      options.stockKeyPrefix ?? DEFAULT_STOCK_KEY_PREFIX,
      options.stockShards,
    );
    if (stockKeys.shardCount !== 1) {
      throw new RangeError('Carts need STOCK_SHARDS=1: a cart holds products of every shard');
    }
    this.stockPrefix = stockKeys.shards[0].tagged;
    this.holdSeconds = options.holdSeconds;
    this.retentionSeconds = options.retentionSeconds ?? 7 * 24 * 60 * 60;
    this.orderTtlSeconds = options.orderTtlSeconds ?? 30 * 24 * 60 * 60;
    this.idempotencyTtlSeconds = options.idempotencyTtlSeconds ?? 24 * 60 * 60;
    this.replicaWait = ReplicaWait.of(redis);
  }

  async create(): Promise<CartView> {
    for (;;) {
      const id = newOpaqueId();
      const reply = asReply(
        await this.written(
          this.scripts.shopCartCreate(
            this.keys.cart(id),
            this.keys.deadlines,
            this.stockPrefix,
            id,
            this.holdSeconds,
          ),
        ),
      );
      // 'EXISTS' means 128 random bits came out twice: draw again.
      if (reply[0] === 'OK') {
        return toCartView({
          id,
          status: 'open',
          expiresAtMs: Number(reply[1]),
          quantities: {},
          infos: {},
        });
      }
    }
  }

  /** The cart; CartNotFoundError for an unknown id or one that cannot be an id. */
  async get(rawId: unknown): Promise<CartView> {
    return toCartView(await this.read(rawId));
  }

  /**
   * Sets a line's quantity (0 removes it), holding or releasing the difference. Throws
   * InvalidCartRequestError, CartNotFoundError, CartProductNotFoundError, CartLineLimitError,
   * CartStockConflictError (naming what is left), CartClosedError, LedgerNotReadyError.
   */
  async setQuantity(
    rawId: unknown,
    rawProductId: unknown,
    rawQuantity: unknown,
    options: { correlationId?: string } = {},
  ): Promise<CartView> {
    const id = this.cartId(rawId);
    const productId = parseProductId(rawProductId, 'productId');
    const quantity = validateLineQuantity(rawQuantity);
    let info = '';
    if (quantity > 0) {
      const product = await this.products.find(productId);
      if (!product) throw new CartProductNotFoundError(productId);
      info = encodeLineInfo({ name: product.name, unitPriceCents: toCents(product.price) });
    }
    return toCartView(
      await this.setLine(id, productId, quantity, info, 'put', options.correlationId),
    );
  }

  /** Removes a line and releases its hold; CartLineNotFoundError when the cart has none. */
  async removeLine(
    rawId: unknown,
    rawProductId: unknown,
    options: { correlationId?: string } = {},
  ): Promise<CartView> {
    const id = this.cartId(rawId);
    const productId = parseProductId(rawProductId, 'productId');
    return toCartView(await this.setLine(id, productId, 0, '', 'delete', options.correlationId));
  }

  /**
   * Turns the cart's holds into a sale and places the order (pending until the order worker has
   * it in MySQL). The same Idempotency-Key answers the same order; with another cart or body it
   * is refused (CheckoutKeyReusedError). A cart whose holds expired sells what can still be sold
   * or names the lines that cannot be had (CartStockConflictError), changing nothing.
   */
  async checkout(
    rawId: unknown,
    input: CheckoutInput,
    rawIdempotencyKey: unknown,
    options: { correlationId?: string } = {},
  ): Promise<CheckoutResult> {
    const id = this.cartId(rawId);
    const idempotencyKey = this.idempotencyKey(rawIdempotencyKey);
    const fingerprint = checkoutFingerprint(id, input);
    for (let attempt = 1; attempt <= CHECKOUT_ATTEMPTS; attempt += 1) {
      const cart = await this.read(id);
      const orderId = newOpaqueId();
      let body = '';
      if (Object.keys(cart.quantities).length > 0) {
        const order = buildOrderPlaced(cart, orderId, input, new Date());
        // The relay parses the same schema: an order it would refuse must not be placed.
        const parsed = orderPlacedEventSchema.safeParse(order);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new InvalidCartRequestError(`${issue.path.join('.')}: ${issue.message}`);
        }
        body = JSON.stringify(parsed.data);
      }
      const reply = asReply(
        await this.written(
          this.scripts.shopCartCheckout(
            this.keys.cart(id),
            this.keys.lines(id),
            this.keys.info(id),
            this.keys.deadlines,
            this.keys.checkout(idempotencyKey),
            this.keys.order(orderId),
            this.stockPrefix,
            id,
            orderId,
            fingerprint,
            this.idempotencyTtlSeconds,
            body,
            cartDigest(cart),
            options.correlationId ?? '',
            this.retentionSeconds,
            this.orderTtlSeconds,
          ),
        ),
      );
      switch (reply[0]) {
        case 'OK':
          return { orderId: String(reply[1]), replayed: false };
        case 'REPLAYED':
          return { orderId: String(reply[1]), replayed: true };
        case 'CHANGED':
          continue;
        case 'KEY_REUSED':
          throw new CheckoutKeyReusedError();
        case 'NOT_READY':
          throw new LedgerNotReadyError();
        case 'NOT_FOUND':
          throw new CartNotFoundError();
        case 'CLOSED':
          throw new CartClosedError(String(reply[1]));
        case 'EMPTY':
          throw new CartEmptyError();
        case 'UNAVAILABLE':
          throw new CartStockConflictError(unavailableLines(reply), 'checkout');
        default:
          throw new Error(`Unexpected checkout status ${String(reply[0])}`);
      }
    }
    throw new CartChangedError();
  }

  /** A placed order as Redis keeps it (`pending` until the order worker confirms it). */
  async getOrder(rawId: unknown): Promise<OrderView> {
    if (!isOpaqueId(rawId)) throw new OrderNotFoundError();
    const [status, raw] = await orUnavailable(
      this.redis.hmget(this.keys.order(rawId), 'status', 'order'),
    );
    if (!isOrderStatus(status) || raw === null) throw new OrderNotFoundError();
    const order = orderPlacedEventSchema.parse(JSON.parse(raw));
    return {
      id: order.orderId,
      status,
      email: order.email,
      shippingAddress: order.shippingAddress,
      lines: order.lines,
      totals: order.totals,
      placedAt: order.placedAt,
    };
  }

  /** Ids of open carts whose deadline is at or before `nowMs`, oldest first. */
  async dueCarts(nowMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.deadlines, '-inf', nowMs, 'LIMIT', 0, limit);
  }

  /**
   * Gives an open cart's holds back if its deadline passed (the sweeper's step). Returns the
   * units released, or null when the cart was not due (touched meanwhile, already expired or
   * checked out, or gone). Safe to call from several processes at once.
   */
  async expire(id: string): Promise<number | null> {
    const reply = asReply(
      await this.written(
        this.scripts.shopCartExpire(...this.scriptKeys(id), id, this.retentionSeconds),
      ),
    );
    if (reply[0] === 'NOT_READY') throw new LedgerNotReadyError();
    return reply[0] === 'EXPIRED' ? Number(reply[1]) : null;
  }

  /**
   * The reply of a script that may have written, once the write is on the replicas the client
   * waits for (see ReplicaWait): a checkout answered 202 must survive a Redis failover.
   */
  private async written<T>(call: Promise<T>): Promise<T> {
    const reply = await orUnavailable(call);
    await orUnavailable(this.replicaWait.afterWrite(this.keys.deadlines));
    return reply;
  }

  /** The keys every cart script takes, in its KEYS order, then the stock keys' tagged prefix. */
  private scriptKeys(id: string): [string, string, string, string, string] {
    const { keys } = this;
    return [keys.cart(id), keys.lines(id), keys.info(id), keys.deadlines, this.stockPrefix];
  }

  private async setLine(
    id: string,
    productId: number,
    quantity: number,
    info: string,
    mode: 'put' | 'delete',
    correlationId: string | undefined,
  ): Promise<StoredCart> {
    const reply = asReply(
      await this.written(
        this.scripts.shopCartSetLine(
          ...this.scriptKeys(id),
          id,
          productId,
          quantity,
          info,
          this.holdSeconds,
          MAX_CART_LINES,
          correlationId ?? '',
          mode,
          this.retentionSeconds,
        ),
      ),
    );
    switch (reply[0]) {
      case 'OK':
        return storedCart(id, reply[1]);
      case 'NOT_READY':
        throw new LedgerNotReadyError();
      case 'NOT_FOUND':
        throw new CartNotFoundError();
      case 'CLOSED':
        throw new CartClosedError(String(reply[1]));
      case 'NO_LINE':
        throw new CartLineNotFoundError(productId);
      case 'NO_PRODUCT':
        throw new CartProductNotFoundError(productId);
      case 'TOO_MANY_LINES':
        throw new CartLineLimitError(MAX_CART_LINES);
      case 'UNAVAILABLE':
        throw new CartStockConflictError(unavailableLines(reply), 'hold');
      default:
        throw new Error(`Unexpected cart status ${String(reply[0])}`);
    }
  }

  private async read(rawId: unknown): Promise<StoredCart> {
    const id = this.cartId(rawId);
    const { keys } = this;
    return storedCart(
      id,
      await orUnavailable(
        this.scripts.shopCartRead(keys.cart(id), keys.lines(id), keys.info(id), this.stockPrefix),
      ),
    );
  }

  private cartId(raw: unknown): string {
    if (!isOpaqueId(raw)) throw new CartNotFoundError();
    return raw;
  }

  private idempotencyKey(raw: unknown): string {
    if (raw === undefined || raw === '') {
      throw new InvalidCartRequestError('Idempotency-Key header is required');
    }
    try {
      return validateIdempotencyKey(raw);
    } catch (error) {
      throw new InvalidCartRequestError(error instanceof Error ? error.message : String(error));
    }
  }
}
