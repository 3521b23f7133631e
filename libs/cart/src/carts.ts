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
  IdempotencyClaims,
  LedgerUnavailableError,
  StockKeys,
  validateIdempotencyKey,
} from '@shop/stock';
import { ReplicaWait, type RedisClient } from '@shop/redis';
import { backoffDelay, sleep } from '@shop/common';
import {
  CartBusyError,
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
import { CartKeys, isOpaqueId, newOpaqueId, type CartShardKeys } from './cart-keys';
import { parseCheckoutInput, parseNewCart } from './cart-input';
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
  type CartLineInput,
  type CartStatus,
  type CartView,
  type CheckoutInput,
  type StoredCart,
} from './cart-model';
import { CartScriptCommands, withCartScripts } from './cart-scripts';
import { RecentCarts } from './recent-carts';

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
  /** STOCK_SHARDS (default 1): a cart's lines live in the shards of their products. */
  stockShards?: number;
  /** How long an expired or checked-out cart can still be read. Default 7 days. */
  retentionSeconds?: number;
  /** How long Redis keeps a placed order (MySQL keeps it for good). Default 30 days. */
  orderTtlSeconds?: number;
  /** How long a checkout's Idempotency-Key answers the same order. Default 24 h. */
  idempotencyTtlSeconds?: number;
  /** After how long a sweeper finishes a step across shards its process left (STALLED_STEP_MS). */
  stalledStepMs?: number;
  /** How many carts this process remembers as checkout's first guess (see RecentCarts). */
  recentCarts?: number;
}

export interface CheckoutResult {
  orderId: string;
  /** True when the Idempotency-Key had already placed this order. */
  replayed: boolean;
}

type ScriptReply = readonly unknown[];

/**
 * A checkout retries when the cart changed between reading it and the atomic step; a line change
 * or checkout retries while another checkout or an expiry holds the cart (milliseconds).
 */
const CHECKOUT_ATTEMPTS = 5;
const BUSY_BACKOFF = { initialMs: 5, maxMs: 80, jitter: 'equal' } as const;
/**
 * A step across shards (a checkout, an expiry) still under way after this long was left by its
 * process: a sweeper finishes it.
 */
export const STALLED_STEP_MS = 5000;

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

/**
 * How a cart's status reads outside: a cart being checked out across shards is still open (its
 * lines are held), one expiring across shards is expired.
 */
function publicStatus(status: unknown): unknown {
  if (status === 'checking-out') return 'open';
  if (status === 'expiring') return 'expired';
  return status;
}

/** A cart from the scripts' cart state (cartState in cart-scripts.ts); CartNotFoundError if none. */
function storedCart(id: string, state: unknown): StoredCart {
  if (!Array.isArray(state)) throw new Error('Unexpected cart state from a cart script');
  const [rawStatus, expiresAt, orderId, lines, infos] = state as unknown[];
  const status = publicStatus(rawStatus);
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

/** What CHECKOUT_BEGIN_LUA answers for a checkout across shards that is (now) under way. */
interface BegunCheckout {
  orderId: string;
  placedAtMs: number;
  /** The other shards holding parts of the cart. */
  shards: number[];
  /** The home's own lines (no line changes while checking out). */
  quantities: Record<string, string>;
  infos: Record<string, string>;
  /** True when the Idempotency-Key had begun it before this call. */
  resumed: boolean;
}

/**
 * Shopping carts that hold stock, and checkout. Every change is one Lua step (cart-scripts.ts)
 * that checks and changes the cart and the stock levels together and appends the stock events
 * (and, at checkout, `order.placed`) to the stock ledger's outbox, which the stock-api's relay
 * publishes. Every refusal leaves Redis as it was.
 *
 * With several stock shards, a cart whose lines are all in its home shard works the same way.
 * One with parts in other shards is changed in steps that each hold one shard's lines, in an order
 * that never leaves units held without a deadline that returns them:
 * - a line of another shard: the home lists the shard and moves the deadline, then the part holds;
 * - expiry: the home gives back its holds and becomes `expiring`, each part gives back its own,
 *   the home becomes `expired`; a sweeper finishes an expiry another left half done;
 * - revival: the home holds again and gets a new deadline, then each part; if a part cannot, the
 *   whole cart expires again (its holds and releases are events) and the answer is a 409;
 * - checkout: the home becomes `checking-out` (no line change, no expiry) with the key recorded
 *   as pending, every part holds again (else the checkout is called off: 409, nothing sold), every
 *   part is sold, then the home's lines, with `order.placed`. Each step is idempotent: the same
 *   key again, or the sweeper after STALLED_STEP_MS, finishes a checkout its process left.
 */
export class Carts {
  readonly keys: CartKeys;
  private readonly stockKeys: StockKeys;
  private readonly scripts: CartScriptCommands;
  private readonly holdSeconds: number;
  private readonly retentionSeconds: number;
  private readonly orderTtlSeconds: number;
  private readonly idempotencyTtlSeconds: number;
  private readonly stalledStepMs: number;
  private readonly replicaWait: ReplicaWait;
  private readonly claims: IdempotencyClaims;
  private readonly recent: RecentCarts;

  constructor(
    private readonly redis: RedisClient,
    private readonly products: CartProductCatalog,
    options: CartsOptions,
  ) {
    if (!Number.isSafeInteger(options.holdSeconds) || options.holdSeconds < 1) {
      throw new RangeError(`holdSeconds must be a positive integer, got ${options.holdSeconds}`);
    }
    this.keys = new CartKeys(options.keyPrefix, options.stockShards);
    this.stockKeys = new StockKeys(
      options.stockKeyPrefix ?? DEFAULT_STOCK_KEY_PREFIX,
      options.stockShards,
    );
    this.scripts = withCartScripts(redis);
    this.holdSeconds = options.holdSeconds;
    this.retentionSeconds = options.retentionSeconds ?? 7 * 24 * 60 * 60;
    this.orderTtlSeconds = options.orderTtlSeconds ?? 30 * 24 * 60 * 60;
    this.idempotencyTtlSeconds = options.idempotencyTtlSeconds ?? 24 * 60 * 60;
    this.stalledStepMs = options.stalledStepMs ?? STALLED_STEP_MS;
    this.recent = new RecentCarts(options.recentCarts);
    this.replicaWait = ReplicaWait.of(redis);
    this.claims = new IdempotencyClaims(
      redis,
      this.stockKeys,
      'checkout',
      this.idempotencyTtlSeconds,
    );
  }

  /**
   * A new open cart whose deadline is CART_HOLD_SECONDS away: empty (`body` undefined), or with
   * the line `body` names (`POST /carts`'s body, checked by parseNewCart) held in the same atomic
   * step, so a shopper's first "Add to cart" is one request. A first line that cannot be held
   * creates nothing. Throws as setQuantity does (InvalidCartRequestError naming the field).
   */
  async create(body?: unknown, options: { correlationId?: string } = {}): Promise<CartView> {
    const firstLine = parseNewCart(body);
    if (firstLine) return this.createWith(firstLine, options.correlationId ?? '');
    for (;;) {
      const id = newOpaqueId();
      const home = this.keys.home(id);
      const reply = asReply(
        await this.written(
          home,
          this.scripts.shopCartCreate(
            home.cart(id),
            home.deadlines,
            this.stockPrefix(home),
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

  private async createWith({ productId, quantity }: CartLineInput, cid: string): Promise<CartView> {
    const info = await this.lineInfo(productId);
    // The cart's home is its product's shard: the line is the home's, held in one step.
    const home = this.keys.shards[this.stockKeys.shardOf(productId)];
    for (;;) {
      const id = this.newIdIn(home);
      const reply = await this.setHomeLine(id, productId, quantity, info, 'create', cid);
      switch (reply[0]) {
        case 'OK':
          return toCartView(this.remembered(storedCart(id, reply[1])));
        case 'EXISTS':
          continue;
        default:
          throwRefusal(reply, productId);
      }
    }
  }

  /** The cart; CartNotFoundError for an unknown id or one that cannot be an id. */
  async get(rawId: unknown): Promise<CartView> {
    const { cart, shards } = await this.read(this.cartId(rawId));
    return toCartView(shards.length === 0 ? this.remembered(cart) : cart);
  }

  /**
   * Sets a line's quantity (0 removes it), holding or releasing the difference. Throws
   * InvalidCartRequestError, CartNotFoundError, CartProductNotFoundError, CartLineLimitError,
   * CartStockConflictError (naming what is left), CartClosedError, CartBusyError,
   * LedgerNotReadyError.
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
    const info = quantity > 0 ? await this.lineInfo(productId) : '';
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
    // With several shards the key's record lives in the cart's home: the claim finds it reused.
    return orUnavailable(
      this.claims.bound(
        idempotencyKey,
        fingerprint,
        {
          reused: () => new CheckoutKeyReusedError(),
          // A refusal placed nothing: the key is free again.
          refused: (error) => error instanceof CartError,
        },
        () =>
          this.checkoutOnce(id, input, idempotencyKey, fingerprint, options.correlationId ?? ''),
      ),
    );
  }

  private async checkoutOnce(
    id: string,
    input: CheckoutInput,
    idempotencyKey: string,
    fingerprint: string,
    correlationId: string,
  ): Promise<CheckoutResult> {
    const home = this.keys.home(id);
    // The cart as this process last saw it, if it did (no parts then): the step checks it.
    let guess = this.recent.take(id);
    for (let attempt = 1; attempt <= CHECKOUT_ATTEMPTS; attempt += 1) {
      const guessed = guess !== undefined;
      const { cart, shards } = guess ? { cart: guess, shards: [] } : await this.read(id);
      guess = undefined;
      if (shards.length > 0) {
        return this.checkoutAcross(id, cart, input, idempotencyKey, fingerprint, correlationId);
      }
      const orderId = this.newIdIn(home);
      const body = Object.keys(cart.quantities).length > 0 ? orderBody(cart, orderId, input) : '';
      const reply = asReply(
        await this.written(
          home,
          this.scripts.shopCartCheckout(
            home.cart(id),
            home.lines(id),
            home.info(id),
            home.deadlines,
            home.checkout(idempotencyKey),
            home.order(orderId),
            home.shards(id),
            this.stockPrefix(home),
            id,
            orderId,
            fingerprint,
            this.idempotencyTtlSeconds,
            body,
            cartDigest(cart),
            correlationId,
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
        case 'PARTS':
          // A line of another shard arrived meanwhile, or this key's checkout is under way: across
          // the shards, with the cart as it is (a guess knows no parts).
          if (guessed) continue;
          return this.checkoutAcross(id, cart, input, idempotencyKey, fingerprint, correlationId);
        case 'BUSY':
          await sleep(backoffDelay(attempt, BUSY_BACKOFF));
          continue;
        default:
          throwRefusal(reply);
      }
    }
    throw new CartChangedError();
  }

  /** A placed order as Redis keeps it (`pending` until the order worker confirms it). */
  async getOrder(rawId: unknown): Promise<OrderView> {
    if (!isOpaqueId(rawId)) throw new OrderNotFoundError();
    const [status, raw] = await orUnavailable(
      this.redis.hmget(this.keys.home(rawId).order(rawId), 'status', 'order'),
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

  /** Ids of open carts whose deadline is at or before `nowMs`, oldest first in each shard. */
  async dueCarts(nowMs: number, limit: number): Promise<string[]> {
    const due = await Promise.all(
      this.keys.shards.map((shard) =>
        this.redis.zrangebyscore(shard.deadlines, '-inf', nowMs, 'LIMIT', 0, limit),
      ),
    );
    return due.flat().slice(0, limit);
  }

  /**
   * Gives an open cart's holds back if its deadline passed (the sweeper's step). Returns the
   * units released, or null when the cart was not due (touched meanwhile, already expired or
   * checked out, or gone). Safe to call from several processes at once. A cart with parts is
   * expired shard by shard; one whose expiry another process left half done is finished.
   */
  async expire(id: string): Promise<number | null> {
    return this.expireAcross(id, false);
  }

  /**
   * Finishes the checkouts across shards that have been pending for `stalledStepMs` (their
   * process stopped between steps): each is completed, or called off if a part can no longer hold
   * its lines. Returns how many were settled. Safe to call from several processes at once.
   */
  async finishStalledCheckouts(nowMs: number): Promise<number> {
    let settled = 0;
    let failure: Error | null = null;
    for (const home of this.keys.shards) {
      const keys = await this.redis.zrangebyscore(
        home.checkouts,
        '-inf',
        nowMs - this.stalledStepMs,
        'LIMIT',
        0,
        100,
      );
      for (const key of keys) {
        const [cartId, rawInput, fingerprint] = await this.redis.hmget(
          home.checkout(key),
          'cartId',
          'input',
          'fingerprint',
        );
        if (cartId === null || rawInput === null || fingerprint === null) {
          // The record expired or was settled: nothing is pending under this key any more.
          await this.redis.zrem(home.checkouts, key);
          continue;
        }
        try {
          const input = parseCheckoutInput(JSON.parse(rawInput));
          await this.checkoutAcross(cartId, null, input, key, fingerprint, '');
          settled += 1;
        } catch (error) {
          // Called off (a 409 for the shopper who retries) or refused: settled either way. Any
          // other failure is tried again next time, after the other keys.
          if (error instanceof CartError) settled += 1;
          else failure ??= error instanceof Error ? error : new Error(String(error));
        }
      }
    }
    if (failure !== null) throw failure;
    return settled;
  }

  /**
   * The reply of a script that may have written, once the write is on the replicas the client
   * waits for (see ReplicaWait): a checkout answered 202 must survive a Redis failover.
   */
  private async written<T>(shard: CartShardKeys, call: Promise<T>): Promise<T> {
    const reply = await orUnavailable(call);
    await orUnavailable(this.replicaWait.afterWrite(shard.deadlines));
    return reply;
  }

  /** The stock keys' tagged prefix of a shard: the cart scripts build level keys from it. */
  private stockPrefix(shard: CartShardKeys): string {
    return this.stockKeys.shards[shard.index].tagged;
  }

  /** A new line's name and price as the line keeps them; CartProductNotFoundError if none. */
  private async lineInfo(productId: number): Promise<string> {
    const product = await this.products.find(productId);
    if (!product) throw new CartProductNotFoundError(productId);
    return encodeLineInfo({ name: product.name, unitPriceCents: toCents(product.price) });
  }

  /** `cart` (without parts), kept as checkout's first guess at it. */
  private remembered(cart: StoredCart): StoredCart {
    this.recent.remember(cart);
    return cart;
  }

  /**
   * A new id whose home is `home`: an order id lives with its cart (where the checkout writes its
   * record), a cart made with a line with that line's product.
   */
  private newIdIn(home: CartShardKeys): string {
    for (;;) {
      const id = newOpaqueId();
      if (this.keys.homeOf(id) === home.index) return id;
    }
  }

  /** KEYS and the stock prefix of the scripts that take a cart's home hashes and deadline. */
  private homeKeys(id: string): [string, string, string, string, string, string] {
    const home = this.keys.home(id);
    return [
      home.cart(id),
      home.lines(id),
      home.info(id),
      home.deadlines,
      home.shards(id),
      this.stockPrefix(home),
    ];
  }

  /** KEYS and the stock prefix of the scripts that take a cart's part in `shard`. */
  private partKeys(id: string, shard: number): [string, string, string, string] {
    const keys = this.keys.shards[shard];
    return [keys.part(id), keys.lines(id), keys.info(id), this.stockPrefix(keys)];
  }

  private async setLine(
    id: string,
    productId: number,
    quantity: number,
    info: string,
    mode: 'put' | 'delete',
    correlationId: string | undefined,
  ): Promise<StoredCart> {
    const cid = correlationId ?? '';
    const home = this.keys.home(id);
    const shard = this.stockKeys.shardOf(productId);
    let revived = false;
    for (let attempt = 1; attempt <= CHECKOUT_ATTEMPTS; attempt += 1) {
      if (this.keys.shardCount > 1 && quantity > 0) {
        // The line limit counts every shard's lines; one shard's script sees only its own.
        const { cart } = await this.read(id);
        const lines = Object.keys(cart.quantities);
        if (!lines.includes(String(productId)) && lines.length >= MAX_CART_LINES) {
          throw new CartLineLimitError(MAX_CART_LINES);
        }
      }
      const reply =
        shard === home.index
          ? await this.setHomeLine(id, productId, quantity, info, mode, cid)
          : await this.setPartLine(id, shard, productId, quantity, info, mode, cid);
      switch (reply[0]) {
        case 'OK':
          // The home's script answers the whole cart when it has no parts (always, one shard).
          return reply[2] === 0
            ? this.remembered(storedCart(id, reply[1]))
            : (await this.read(id)).cart;
        case 'REVIVE':
          // Past its deadline or expired, with parts: expire it across the shards, then (for a
          // quantity) bring it back, all or nothing, before the line changes.
          try {
            await this.expireAcross(id, false);
            if (quantity > 0) {
              await this.revive(id, cid, 'hold', { productId, quantity });
              revived = true;
            }
          } catch (error) {
            // Another process is expiring it across the shards (milliseconds): wait, then retry.
            if (!(error instanceof CartBusyError)) throw error;
            await sleep(backoffDelay(attempt, BUSY_BACKOFF));
          }
          continue;
        case 'BUSY':
          await sleep(backoffDelay(attempt, BUSY_BACKOFF));
          continue;
        case 'UNAVAILABLE':
          // A revival for this line stays only if the line could be held too.
          if (revived) await this.expireAcross(id, true);
          throw new CartStockConflictError(unavailableLines(reply), 'hold');
        default:
          throwRefusal(reply, productId);
      }
    }
    throw new CartBusyError();
  }

  private async setHomeLine(
    id: string,
    productId: number,
    quantity: number,
    info: string,
    mode: 'put' | 'delete' | 'create',
    cid: string,
  ): Promise<ScriptReply> {
    return asReply(
      await this.written(
        this.keys.home(id),
        this.scripts.shopCartSetLine(
          ...this.homeKeys(id),
          id,
          productId,
          quantity,
          info,
          this.holdSeconds,
          MAX_CART_LINES,
          cid,
          mode,
          this.retentionSeconds,
        ),
      ),
    );
  }

  /** A line of a product of another shard: the home first (see HOME_TOUCH_LUA), then the part. */
  private async setPartLine(
    id: string,
    shard: number,
    productId: number,
    quantity: number,
    info: string,
    mode: 'put' | 'delete',
    cid: string,
  ): Promise<ScriptReply> {
    const home = this.keys.home(id);
    const part = (homeStatus: string, check: boolean): Promise<unknown> =>
      this.scripts.shopCartPartSetLine(
        ...this.partKeys(id, shard),
        productId,
        quantity,
        info,
        cid,
        mode,
        homeStatus,
        check ? 'check' : '',
      );
    // Asked first, so a refusal leaves the home (its deadline, its list of parts) as it was.
    const check = asReply(await orUnavailable(part('open', true)));
    if (check[0] !== 'OK') return check;
    const touch = asReply(
      await this.written(
        home,
        this.scripts.shopCartHomeTouch(
          home.cart(id),
          home.deadlines,
          home.shards(id),
          this.stockPrefix(home),
          id,
          shard,
          this.holdSeconds,
          quantity,
        ),
      ),
    );
    if (touch[0] !== 'OK') return touch;
    return asReply(await this.written(this.keys.shards[shard], part(String(touch[1]), false)));
  }

  /**
   * Expires a cart now (`force`) or if it is due, across its shards; the units released, or null
   * when there was nothing to expire.
   */
  private async expireAcross(id: string, force: boolean): Promise<number | null> {
    const homeKeys = this.homeKeys(id);
    const home = this.keys.home(id);
    const reply = asReply(
      await this.written(
        home,
        this.scripts.shopCartExpire(
          ...homeKeys,
          id,
          this.retentionSeconds,
          force ? '1' : '',
          this.stalledStepMs,
        ),
      ),
    );
    if (reply[0] === 'NOT_READY') throw new LedgerNotReadyError();
    if (reply[0] === 'EXPIRED') return Number(reply[1]);
    if (reply[0] !== 'EXPIRING') return null;
    const released = await Promise.all(
      reply.slice(2).map(async (part) => {
        const shard = Number(part);
        const answer = asReply(
          await this.written(
            this.keys.shards[shard],
            this.scripts.shopCartPartRelease(
              ...this.partKeys(id, shard),
              '',
              this.retentionSeconds,
            ),
          ),
        );
        if (answer[0] === 'NOT_READY') throw new LedgerNotReadyError();
        return Number(answer[1]);
      }),
    );
    await this.written(
      home,
      this.scripts.shopCartFinishExpiry(...homeKeys, id, this.retentionSeconds),
    );
    return released.reduce((sum, units) => sum + units, Number(reply[1]));
  }

  /**
   * Brings an expired cart with parts back: the home, then every part, all or nothing. It first
   * asks every shard whether its lines (and `line`, the change that asks for the revival) can be
   * held, and answers CartStockConflictError with nothing changed when not; if holding still fails
   * (stock sold meanwhile), the cart expires again, and the error names the lines.
   */
  private async revive(
    id: string,
    cid: string,
    during: 'hold' | 'checkout',
    line?: { productId: number; quantity: number },
  ): Promise<void> {
    const home = this.keys.home(id);
    const lineShard = line === undefined ? -1 : this.stockKeys.shardOf(line.productId);
    const missing: UnavailableLine[] = [];
    const asked = new Set([home.index, ...(await this.read(id)).shards]);
    if (lineShard >= 0) asked.add(lineShard);
    for (const shard of asked) {
      const keys = this.keys.shards[shard];
      const answer = asReply(
        await orUnavailable(
          this.scripts.shopCartLinesAvailable(
            keys.lines(id),
            this.stockPrefix(keys),
            shard === lineShard && line ? line.productId : '',
            shard === lineShard && line ? line.quantity : 0,
          ),
        ),
      );
      if (answer[0] === 'UNAVAILABLE') missing.push(...unavailableLines(answer));
    }
    if (missing.length > 0) throw new CartStockConflictError(missing, during);
    const reply = asReply(
      await this.written(
        home,
        this.scripts.shopCartHomeRevive(
          ...this.homeKeys(id),
          id,
          this.holdSeconds,
          cid,
          line?.productId ?? '',
          line?.quantity ?? 0,
        ),
      ),
    );
    if (reply[0] === 'UNAVAILABLE') {
      throw new CartStockConflictError(unavailableLines(reply), during);
    }
    if (reply[0] !== 'OK') throwRefusal(reply);
    const gone = await this.reholdParts(id, reply.slice(1).map(Number), cid, '', line);
    if (gone.length > 0) {
      await this.expireAcross(id, true);
      throw new CartStockConflictError(gone, during);
    }
  }

  /** Holds every part's lines again where released; the lines that cannot be had (none: all held). */
  private async reholdParts(
    id: string,
    shards: readonly number[],
    cid: string,
    orderId: string,
    line?: { productId: number; quantity: number },
  ): Promise<UnavailableLine[]> {
    const replies = await Promise.all(
      shards.map(async (shard) =>
        asReply(
          await this.written(
            this.keys.shards[shard],
            this.scripts.shopCartPartRehold(
              ...this.partKeys(id, shard),
              cid,
              orderId,
              line?.productId ?? '',
              line?.quantity ?? 0,
            ),
          ),
        ),
      ),
    );
    const missing: UnavailableLine[] = [];
    for (const reply of replies) {
      if (reply[0] === 'UNAVAILABLE') missing.push(...unavailableLines(reply));
      else if (reply[0] !== 'OK') throwRefusal(reply);
    }
    return missing;
  }

  /**
   * Checks out a cart with parts (see the class comment), or finishes the checkout `key` began.
   * `cart` (null when the sweeper resumes) is the cart as read before: the order is validated
   * against it before anything changes; the order placed is built from what was sold.
   */
  private async checkoutAcross(
    id: string,
    cart: StoredCart | null,
    input: CheckoutInput,
    key: string,
    fingerprint: string,
    cid: string,
  ): Promise<CheckoutResult> {
    const home = this.keys.home(id);
    if (cart) {
      if (Object.keys(cart.quantities).length === 0) throw new CartEmptyError();
      // Refused here (400) rather than after a sale: the same input builds the real order.
      orderBody(cart, newOpaqueId(), input);
    }
    let begun: BegunCheckout | null = null;
    for (let attempt = 1; begun === null; attempt += 1) {
      if (attempt > CHECKOUT_ATTEMPTS) throw new CartBusyError();
      const reply = asReply(
        await this.written(
          home,
          this.scripts.shopCartCheckoutBegin(
            home.cart(id),
            home.lines(id),
            home.info(id),
            home.checkout(key),
            home.checkouts,
            home.shards(id),
            this.stockPrefix(home),
            id,
            this.newIdIn(home),
            fingerprint,
            this.idempotencyTtlSeconds,
            JSON.stringify(input),
            key,
          ),
        ),
      );
      switch (reply[0]) {
        case 'BEGUN':
        case 'PENDING':
          begun = {
            orderId: String(reply[1]),
            placedAtMs: Number(reply[2]),
            shards: (reply[3] as unknown[]).map(Number),
            quantities: fromFlatHash(reply[4]),
            infos: fromFlatHash(reply[5]),
            resumed: reply[0] === 'PENDING',
          };
          break;
        case 'REPLAYED':
          return { orderId: String(reply[1]), replayed: true };
        case 'REVIVE':
          await this.revive(id, cid, 'checkout');
          break;
        case 'BUSY':
          await sleep(backoffDelay(attempt, BUSY_BACKOFF));
          break;
        default:
          throwRefusal(reply);
      }
    }
    const { orderId } = begun;
    const missing = await this.reholdParts(id, begun.shards, cid, orderId);
    if (missing.length > 0) {
      // Nothing was sold: a part is only sold once every part holds, and none lets go after.
      await this.written(
        home,
        this.scripts.shopCartCheckoutAbort(
          home.cart(id),
          home.checkout(key),
          home.checkouts,
          this.stockPrefix(home),
          orderId,
          key,
        ),
      );
      throw new CartStockConflictError(missing, 'checkout');
    }
    const sold: StoredCart = {
      id,
      status: 'open',
      expiresAtMs: 0,
      quantities: { ...begun.quantities },
      infos: { ...begun.infos },
    };
    await Promise.all(
      begun.shards.map(async (shard) => {
        const reply = asReply(
          await this.written(
            this.keys.shards[shard],
            this.scripts.shopCartPartSell(
              ...this.partKeys(id, shard),
              orderId,
              cid,
              this.retentionSeconds,
            ),
          ),
        );
        if (reply[0] !== 'OK') {
          throw new Error(`Part ${shard} of cart ${id} could not be sold: ${String(reply[0])}`);
        }
        Object.assign(sold.quantities, fromFlatHash(reply[1]));
        Object.assign(sold.infos, fromFlatHash(reply[2]));
      }),
    );
    const body = orderBody(sold, orderId, input, new Date(begun.placedAtMs));
    const finished = asReply(
      await this.written(
        home,
        this.scripts.shopCartCheckoutFinish(
          home.cart(id),
          home.lines(id),
          home.info(id),
          home.deadlines,
          home.checkout(key),
          home.checkouts,
          home.order(orderId),
          home.shards(id),
          this.stockPrefix(home),
          id,
          orderId,
          body,
          cid,
          this.retentionSeconds,
          this.orderTtlSeconds,
          key,
        ),
      ),
    );
    if (finished[0] === 'NOT_READY') throw new LedgerNotReadyError();
    if (finished[0] !== 'OK') {
      throw new Error(`Checkout ${orderId} of cart ${id} ended elsewhere: ${String(finished[1])}`);
    }
    return { orderId, replayed: begun.resumed };
  }

  /** The cart, its parts' lines included, and the shards holding parts. */
  private async read(id: string): Promise<{ cart: StoredCart; shards: number[] }> {
    const home = this.keys.home(id);
    const state = await orUnavailable(
      this.scripts.shopCartRead(
        home.cart(id),
        home.lines(id),
        home.info(id),
        home.shards(id),
        this.stockPrefix(home),
      ),
    );
    const cart = storedCart(id, state);
    const shards = ((state as unknown[])[5] as unknown[]).map(Number);
    const parts = await Promise.all(
      shards.map((shard) =>
        orUnavailable(this.scripts.shopCartPartRead(...this.partKeys(id, shard))),
      ),
    );
    for (const part of parts) {
      const [, lines, infos] = part as unknown[];
      Object.assign(cart.quantities, fromFlatHash(lines));
      Object.assign(cart.infos, fromFlatHash(infos));
    }
    return { cart, shards };
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

/** The order.placed JSON of checking out `cart`; InvalidCartRequestError when it would be refused. */
function orderBody(
  cart: StoredCart,
  orderId: string,
  input: CheckoutInput,
  placedAt = new Date(),
): string {
  // The relay parses the same schema: an order it would refuse must not be placed.
  const parsed = orderPlacedEventSchema.safeParse(buildOrderPlaced(cart, orderId, input, placedAt));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidCartRequestError(`${issue.path.join('.')}: ${issue.message}`);
  }
  return JSON.stringify(parsed.data);
}

/**
 * The typed error of a cart script's refusal; `productId` for a line change (its conflicts are
 * holds), none for a checkout.
 */
function throwRefusal(reply: ScriptReply, productId?: number): never {
  switch (reply[0]) {
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
    case 'BUSY':
      throw new CartBusyError();
    case 'UNAVAILABLE':
      throw new CartStockConflictError(
        unavailableLines(reply),
        productId === undefined ? 'checkout' : 'hold',
      );
    case 'NO_LINE':
      throw new CartLineNotFoundError(productId ?? 0);
    case 'NO_PRODUCT':
      throw new CartProductNotFoundError(productId ?? 0);
    case 'TOO_MANY_LINES':
      throw new CartLineLimitError(MAX_CART_LINES);
    default:
      throw new Error(`Unexpected cart script status ${String(reply[0])}`);
  }
}
