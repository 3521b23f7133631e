import { randomUUID } from 'node:crypto';
import { MAX_STOCK, parseProductId, StockLevel } from '@shop/contracts';
import { ReplicaWait, type RedisClient } from '@shop/redis';
import {
  idempotencyFingerprint,
  MAX_IDS_PER_READ,
  StockChange,
  StockChangeResult,
  validateIdempotencyKey,
  validateStockChange,
} from './stock-change';
import {
  HeldStockError,
  IdempotencyKeyReusedError,
  InsufficientStockError,
  InvalidStockRequestError,
  LedgerNotReadyError,
  LedgerUnavailableError,
  StockLedgerError,
  StockLimitError,
  StockNotFoundError,
} from './stock-errors';
import { IdempotencyClaims } from './idempotency-claims';
import { StockKeys, type StockShardKeys } from './stock-keys';
import { StockScriptCommands, withStockScripts } from './stock-scripts';

export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** Rows per restore script: large enough to be quick, small enough not to stall Redis. */
export const RESTORE_BATCH_SIZE = 500;
const RESTORE_TOKEN_TTL_MS = 15 * 60 * 1000;

export interface StockLedgerOptions {
  /** Key prefix, default `stock:` (see stock-keys.ts). */
  keyPrefix?: string;
  /** STOCK_SHARDS: how many shards the products are spread over (default 1; see stock-keys.ts). */
  shards?: number;
  idempotencyTtlSeconds?: number;
}

/** A row of MySQL's `stock` table, as the restore and the reconciler hand it over. */
export interface StockRestoreRow {
  id: number;
  /** What could be sold (MySQL's `quantity`): on hand is `stock + held`. */
  stock: number;
  /** Units MySQL last knew as held by carts; absent = 0. See RESTORE_STOCK_LEVELS_LUA. */
  held?: number;
  version: number;
  updatedAt: Date | string;
}

export interface StockRestoreResult {
  /** Ids whose figures were written (Redis had none or an older version). */
  restoredIds: number[];
  /** Ids left alone (Redis had the same version or a newer one). */
  unchangedIds: number[];
}

export interface StockSnapshotPage {
  levels: StockLevel[];
  /** Pass as `afterId` for the next page; null when this page was the last. */
  nextAfterId: number | null;
}

type ScriptReply = readonly unknown[];

function toInteger(value: unknown): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number)) {
    throw new Error(`Unexpected reply from the stock ledger: ${String(value)}`);
  }
  return number;
}

function asReply(value: unknown): ScriptReply {
  if (!Array.isArray(value) || typeof value[0] !== 'string') {
    throw new Error('Unexpected reply from the stock ledger script');
  }
  return value;
}

/** Anything but the ledger's own verdicts means Redis failed us: a typed 503 with the cause. */
async function orUnavailable<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw error instanceof StockLedgerError ? error : new LedgerUnavailableError(error);
  }
}

function toUpdatedAtMs(value: Date | string): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new InvalidStockRequestError(`Invalid updatedAt ${String(value)}`);
  }
  return ms;
}

/**
 * The live stock ledger on Redis. Every change is one Lua script (see stock-scripts.ts) that
 * checks, applies, bumps the version and appends the event to the outbox together, so stock
 * never goes below zero and no change exists without its event.
 */
export class StockLedger {
  readonly keys: StockKeys;
  private readonly scripts: StockScriptCommands;
  private readonly idempotencyTtlSeconds: number;
  private readonly replicaWait: ReplicaWait;
  private readonly claims: IdempotencyClaims;

  constructor(
    private readonly redis: RedisClient,
    options: StockLedgerOptions = {},
  ) {
    this.keys = new StockKeys(options.keyPrefix, options.shards);
    this.scripts = withStockScripts(redis);
    this.idempotencyTtlSeconds = options.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
    this.replicaWait = ReplicaWait.of(redis);
    this.claims = new IdempotencyClaims(redis, this.keys, 'stock', this.idempotencyTtlSeconds);
  }

  /**
   * Applies one change. Throws InvalidStockRequestError, LedgerNotReadyError, StockNotFoundError,
   * InsufficientStockError, StockLimitError or IdempotencyKeyReusedError, in each case with
   * nothing changed; LedgerUnavailableError when Redis did not answer (the change may or may not
   * have been applied: retry with the same Idempotency-Key). With an idempotency key, a repeat returns the first answer (`replayed: true`).
   * Only successful changes are remembered: a refused request changed nothing, so its retry is
   * evaluated afresh. `correlationId` (the request id) goes into the change's outbox entry and
   * from there onto its messages as the AMQP `correlationId`.
   */
  async apply(
    productId: number,
    change: StockChange,
    options: { idempotencyKey?: string; correlationId?: string } = {},
  ): Promise<StockChangeResult> {
    const id = parseProductId(productId);
    const { action, amount } = validateStockChange(change);
    const key =
      options.idempotencyKey === undefined
        ? undefined
        : validateIdempotencyKey(options.idempotencyKey);
    const shard = this.keys.forProduct(id);
    const fingerprint = key === undefined ? '' : idempotencyFingerprint(id, { action, amount });
    // Refused (nothing changed) frees the key; unavailable may have applied and keeps it.
    return orUnavailable(
      this.claims.bound(
        key,
        fingerprint,
        {
          reused: () => new IdempotencyKeyReusedError(key ?? ''),
          refused: (error) =>
            error instanceof StockLedgerError && !(error instanceof LedgerUnavailableError),
        },
        () => this.applyInShard(id, shard, action, amount, key, fingerprint, options),
      ),
    );
  }

  private async applyInShard(
    id: number,
    shard: StockShardKeys,
    action: StockChange['action'],
    amount: number,
    key: string | undefined,
    fingerprint: string,
    options: { correlationId?: string },
  ): Promise<StockChangeResult> {
    const reply = asReply(
      await orUnavailable(
        this.scripts.shopStockApply(
          shard.level(id),
          shard.knownIds,
          shard.ready,
          shard.outbox,
          shard.idempotency(key ?? ''),
          id,
          action,
          amount,
          MAX_STOCK,
          fingerprint,
          this.idempotencyTtlSeconds,
          options.correlationId ?? '',
        ),
      ),
    );
    switch (reply[0]) {
      case 'OK':
      case 'REPLAYED':
        // A replay too: the first answer's write may not have reached the replica yet.
        await orUnavailable(this.replicaWait.afterWrite(shard.outbox));
        return {
          id,
          stock: toInteger(reply[1]),
          version: toInteger(reply[2]),
          onHand: toInteger(reply[3]),
          held: toInteger(reply[4]),
          replayed: reply[0] === 'REPLAYED',
        };
      case 'BELOW_HELD':
        throw new HeldStockError(id, toInteger(reply[1]), amount);
      case 'INSUFFICIENT':
        throw new InsufficientStockError(id, toInteger(reply[1]), amount);
      case 'OVER_LIMIT':
        throw new StockLimitError(id, toInteger(reply[1]), amount, MAX_STOCK);
      case 'NOT_READY':
        throw new LedgerNotReadyError();
      case 'NOT_FOUND':
        throw new StockNotFoundError(id);
      case 'IDEMPOTENCY_KEY_REUSED':
        throw new IdempotencyKeyReusedError(key ?? '');
      case 'INVALID':
        throw new InvalidStockRequestError(`Invalid ${String(reply[1])}`);
      default:
        throw new Error(`Unexpected stock ledger status ${String(reply[0])}`);
    }
  }

  /**
   * The product's level; null when the catalog has no such product. Throws LedgerNotReadyError,
   * LedgerUnavailableError.
   */
  async get(productId: number): Promise<StockLevel | null> {
    const [level] = await this.getMany([productId]);
    return level ?? null;
  }

  /**
   * Levels of several products, aligned with `productIds` (null for unknown ids): one round trip
   * per shard the ids fall in, all at once. A known product that never changed reads as stock 0,
   * version 0, updatedAt epoch 0.
   */
  async getMany(productIds: readonly number[]): Promise<(StockLevel | null)[]> {
    const ids = productIds.map((id) => parseProductId(id));
    if (ids.length === 0) return [];
    if (ids.length > MAX_IDS_PER_READ) {
      throw new InvalidStockRequestError(`At most ${MAX_IDS_PER_READ} ids per read`);
    }
    const levels: (StockLevel | null)[] = new Array<StockLevel | null>(ids.length).fill(null);
    await Promise.all(
      [...this.keys.positionsByShard(ids)].map(async ([shard, positions]) => {
        const shardIds = positions.map((position) => ids[position]);
        const keys = this.keys.shards[shard];
        const reply = asReply(
          await orUnavailable(
            this.scripts.shopStockRead(keys.ready, keys.knownIds, keys.levelPrefix, ...shardIds),
          ),
        );
        if (reply[0] === 'NOT_READY') throw new LedgerNotReadyError();
        positions.forEach((position, index) => {
          const row = reply[index + 1];
          if (!Array.isArray(row)) return;
          levels[position] = {
            id: ids[position],
            stock: toInteger(row[0]),
            onHand: toInteger(row[3]),
            held: toInteger(row[4]),
            version: toInteger(row[1]),
            updatedAt: new Date(toInteger(row[2])).toISOString(),
          };
        });
      }),
    );
    return levels;
  }

  /**
   * One page of known products in id order, for the reconciler (MySQL vs Redis). Two round trips:
   * the page of ids (the first `count` of every shard, merged), then their levels.
   */
  async snapshot(afterId = 0, count = RESTORE_BATCH_SIZE): Promise<StockSnapshotPage> {
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_IDS_PER_READ) {
      throw new InvalidStockRequestError(`count must be 1 to ${MAX_IDS_PER_READ}`);
    }
    const pages = await Promise.all(
      this.keys.shards.map((shard) =>
        this.redis.zrangebyscore(shard.knownIds, `(${afterId}`, '+inf', 'LIMIT', 0, count),
      ),
    );
    const ids = pages
      .flat()
      .map((member) => toInteger(member))
      .sort((a, b) => a - b)
      .slice(0, count);
    const levels = (await this.getMany(ids)).filter((level): level is StockLevel => level !== null);
    return {
      levels,
      nextAfterId: ids.length === count ? ids[ids.length - 1] : null,
    };
  }

  /** Every known product's level in id order, page by page. */
  async *iterate(pageSize = RESTORE_BATCH_SIZE): AsyncGenerator<StockLevel[]> {
    let afterId: number | null = 0;
    while (afterId !== null) {
      const page: StockSnapshotPage = await this.snapshot(afterId, pageSize);
      if (page.levels.length > 0) yield page.levels;
      afterId = page.nextAfterId;
    }
  }

  /**
   * Writes MySQL's figures where Redis has no level or an older version (the higher version
   * wins; nothing is lowered). Atomic per batch of RESTORE_BATCH_SIZE rows. Emits no events (the
   * figures came from MySQL), except where MySQL counts holds that this Redis has no cart for:
   * those units come back as sellable with a `release` event at a version above `versionFloor`
   * (default: the ready marker's floor). See RESTORE_STOCK_LEVELS_LUA. With `shards`, only rows
   * of those shards are written (the ones that lost their ledger). Does not set the ready marker:
   * call `markReady` when done.
   */
  async restore(
    rows: readonly StockRestoreRow[],
    options: { versionFloor?: number; shards?: readonly number[] } = {},
  ): Promise<StockRestoreResult> {
    const result: StockRestoreResult = { restoredIds: [], unchangedIds: [] };
    const only = options.shards === undefined ? null : new Set(options.shards);
    const checked = rows.map((row) => {
      const id = parseProductId(row.id);
      if (!Number.isSafeInteger(row.stock) || row.stock < 0 || row.stock > MAX_STOCK) {
        throw new InvalidStockRequestError(`Invalid stock ${row.stock} for product ${id}`);
      }
      if (!Number.isSafeInteger(row.version) || row.version < 0) {
        throw new InvalidStockRequestError(`Invalid version ${row.version} for product ${id}`);
      }
      const held = row.held ?? 0;
      if (!Number.isSafeInteger(held) || held < 0 || row.stock + held > MAX_STOCK) {
        throw new InvalidStockRequestError(`Invalid held ${held} for product ${id}`);
      }
      return {
        id,
        stock: row.stock,
        held,
        version: row.version,
        at: toUpdatedAtMs(row.updatedAt),
      };
    });
    for (const [shard, positions] of this.keys.positionsByShard(checked.map((row) => row.id))) {
      if (only && !only.has(shard)) continue;
      const keys = this.keys.shards[shard];
      const shardRows = positions.map((position) => checked[position]);
      for (let start = 0; start < shardRows.length; start += RESTORE_BATCH_SIZE) {
        const batch = shardRows.slice(start, start + RESTORE_BATCH_SIZE);
        const written = await this.scripts.shopStockRestore(
          keys.outbox,
          keys.ready,
          options.versionFloor ?? '',
          keys.levelPrefix,
          ...batch.flatMap((row) => [row.id, row.stock, row.version, row.at, row.held]),
        );
        if (!Array.isArray(written)) throw new Error('Unexpected reply from the restore script');
        batch.forEach((row, index) =>
          (written[index] === 1 ? result.restoredIds : result.unchangedIds).push(row.id),
        );
      }
    }
    return result;
  }

  /**
   * Starts a restore of `shards` (default all): returns a token for `markReady`. If Redis is
   * flushed before `markReady`, the token is gone with it and `markReady(token)` refuses, so a
   * half-restored ledger is never marked ready.
   */
  async beginRestore(shards: readonly number[] = this.allShards()): Promise<string> {
    const token = randomUUID();
    // A set, so restores running in several processes at once do not void each other's token.
    await Promise.all(
      shards.map((shard) => {
        const { restoring } = this.keys.shards[shard];
        return this.redis
          .multi()
          .sadd(restoring, token)
          .pexpire(restoring, RESTORE_TOKEN_TTL_MS)
          .exec();
      }),
    );
    return token;
  }

  /**
   * Sets the ready marker of `shards` (default all); their writes and reads are accepted from
   * then on, and every new version is above `versionFloor` (the ledger epoch's floor). With a
   * token from `beginRestore`, only if that restore is still current. Returns whether every
   * marker was set.
   */
  async markReady(
    restoreToken?: string,
    versionFloor = 0,
    shards: readonly number[] = this.allShards(),
  ): Promise<boolean> {
    if (!Number.isSafeInteger(versionFloor) || versionFloor < 0) {
      throw new InvalidStockRequestError(`Invalid version floor ${versionFloor}`);
    }
    const marked = await Promise.all(
      shards.map(async (shard) => {
        const keys = this.keys.shards[shard];
        const reply = await this.scripts.shopStockMarkReady(
          keys.ready,
          keys.restoring,
          restoreToken ?? '',
          versionFloor,
        );
        // The restored levels were written on this connection before the marker: one wait.
        if (reply === 1) await this.replicaWait.afterWrite(keys.ready);
        return reply === 1;
      }),
    );
    return marked.every(Boolean);
  }

  /** The shards whose ready marker is missing: Redis lost (or never had) their ledger. */
  async unreadyShards(): Promise<number[]> {
    const present = await Promise.all(
      this.keys.shards.map((shard) => this.redis.exists(shard.ready)),
    );
    return this.allShards().filter((shard) => present[shard] !== 1);
  }

  async isReady(): Promise<boolean> {
    return (await this.unreadyShards()).length === 0;
  }

  /** Resolves once the ledger is restored; rejects while it is not (for health probes). */
  async assertReady(): Promise<void> {
    if (!(await this.isReady())) throw new LedgerNotReadyError();
  }

  /** Number of events waiting in the outbox of every shard (not yet confirmed by the broker). */
  async pendingEvents(): Promise<number> {
    const lengths = await Promise.all(
      this.keys.shards.map((shard) => this.redis.xlen(shard.outbox)),
    );
    return lengths.reduce((sum, length) => sum + length, 0);
  }

  private allShards(): number[] {
    return this.keys.shards.map((shard) => shard.index);
  }
}
