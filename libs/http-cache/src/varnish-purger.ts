import { Inject, Injectable, Logger } from '@nestjs/common';
import { backoffDelay, errorMessage, sleep, type LoggerLike } from '@shop/common';
import { assertCacheTag } from './cache-tags';
import { type PurgePlan } from './purge-plan';

export const VARNISH_PURGER_OPTIONS = Symbol('VARNISH_PURGER_OPTIONS');

export interface VarnishPurgerOptions {
  /** Base URLs of every Varnish to purge, e.g. `ShopConfig.VARNISH_PURGE_URLS`. */
  readonly urls: readonly string[];
  /**
   * Largest `xkey`/`xkey-softpurge` header value per request; more tags go out in several
   * requests. Varnish refuses request headers past `http_req_hdr_len` (8 KiB by default).
   * Default 2048.
   */
  readonly maxHeaderBytes?: number;
  /** Tries per request, the first included, on network errors, timeouts and 5xx. Default 4. */
  readonly maxAttempts?: number;
  /** Wait before the second try; doubles each time, up to `maxBackoffMs`. Default 100. */
  readonly initialBackoffMs?: number;
  /** Default 2000. */
  readonly maxBackoffMs?: number;
  /** Per request. Default 2000. */
  readonly timeoutMs?: number;
  /** Test seam: how to wait between tries. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Test seam: jitter source in [0, 1). */
  readonly random?: () => number;
  readonly logger?: Pick<LoggerLike, 'warn'>;
}

export type PurgeMode = 'hard' | 'soft';

export interface HostPurgeResult {
  readonly url: string;
  /** Objects Varnish reports purged (hard + soft). */
  readonly purged: number;
  readonly requests: number;
}

export interface PurgeResult {
  /** Sum over hosts. */
  readonly purged: number;
  readonly hosts: readonly HostPurgeResult[];
}

export interface HostPurgeFailure {
  readonly url: string;
  readonly attempts: number;
  readonly reason: string;
}

/** One or more hosts could not be purged; the others were. Names each failed host. */
export class VarnishPurgeError extends Error {
  constructor(
    readonly failures: readonly HostPurgeFailure[],
    readonly succeeded: readonly HostPurgeResult[],
  ) {
    super(
      'Varnish PURGE failed on ' +
        failures
          .map(
            (f) =>
              `${f.url} after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}: ${f.reason}`,
          )
          .join('; '),
    );
    this.name = 'VarnishPurgeError';
  }
}

/**
 * Splits a plan into smaller plans, one per PURGE request, whose `xkey` and `xkey-softpurge`
 * values each stay within `maxHeaderBytes`; a request carries a hard and a soft batch side by side.
 */
export function batchPurgePlan(plan: PurgePlan, maxHeaderBytes: number): PurgePlan[] {
  const hard = chunkTags(plan.hard, maxHeaderBytes);
  const soft = chunkTags(plan.soft, maxHeaderBytes);
  const batches: PurgePlan[] = [];
  for (let i = 0; i < Math.max(hard.length, soft.length); i++) {
    batches.push({ hard: hard[i] ?? [], soft: soft[i] ?? [] });
  }
  return batches;
}

function chunkTags(tags: readonly string[], maxBytes: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const tag of new Set(tags.map(assertCacheTag))) {
    const size = Buffer.byteLength(tag);
    if (size > maxBytes) throw new RangeError(`cache tag ${tag} is longer than ${maxBytes} bytes`);
    const added = current.length === 0 ? size : size + 1; // + the separating space
    if (bytes + added > maxBytes) {
      chunks.push(current);
      current = [tag];
      bytes = size;
    } else {
      current.push(tag);
      bytes += added;
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * Purges tags on every configured Varnish with `PURGE /` and the `xkey` (hard) or
 * `xkey-softpurge` (soft) header, as varnish/default.vcl expects. Hosts are purged in parallel;
 * each request is retried with exponential backoff on network errors, timeouts and 5xx, never
 * on 4xx (a 403 means the caller is outside Varnish's `purgers` ACL). Purging is idempotent, so
 * a caller may safely retry the whole call after a `VarnishPurgeError`.
 */
@Injectable()
export class VarnishPurger {
  private readonly urls: readonly string[];
  private readonly maxHeaderBytes: number;
  private readonly maxAttempts: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly logger: Pick<LoggerLike, 'warn'>;

  constructor(@Inject(VARNISH_PURGER_OPTIONS) options: VarnishPurgerOptions) {
    if (options.urls.length === 0) throw new Error('VarnishPurger needs at least one Varnish URL');
    this.urls = options.urls.map((url) => new URL(url).origin);
    this.maxHeaderBytes = options.maxHeaderBytes ?? 2048;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.initialBackoffMs = options.initialBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 2000;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? new Logger(VarnishPurger.name);
  }

  /** Purges `tags` hard (dropped) or soft (expired, kept for grace). */
  purgeTags(tags: readonly string[], mode: PurgeMode = 'hard'): Promise<PurgeResult> {
    return this.purge(mode === 'hard' ? { hard: tags, soft: [] } : { hard: [], soft: tags });
  }

  /** Purges a plan's hard and soft tags on every host. Resolves when every host has done it. */
  async purge(plan: PurgePlan): Promise<PurgeResult> {
    const batches = batchPurgePlan(plan, this.maxHeaderBytes);
    if (batches.length === 0) {
      return { purged: 0, hosts: this.urls.map((url) => ({ url, purged: 0, requests: 0 })) };
    }
    const outcomes = await Promise.all(this.urls.map((url) => this.purgeHost(url, batches)));
    const succeeded = outcomes.filter((o): o is HostPurgeResult => !('reason' in o));
    const failures = outcomes.filter((o): o is HostPurgeFailure => 'reason' in o);
    if (failures.length > 0) throw new VarnishPurgeError(failures, succeeded);
    return { purged: succeeded.reduce((sum, host) => sum + host.purged, 0), hosts: succeeded };
  }

  private async purgeHost(
    url: string,
    batches: readonly PurgePlan[],
  ): Promise<HostPurgeResult | HostPurgeFailure> {
    let purged = 0;
    for (const batch of batches) {
      let attempt = 0;
      for (;;) {
        attempt++;
        try {
          purged += await this.send(url, batch);
          break;
        } catch (error) {
          const reason = errorMessage(error);
          const retryable = !(error instanceof AttemptError) || error.retryable;
          if (!retryable || attempt >= this.maxAttempts) return { url, attempts: attempt, reason };
          const delay = this.backoff(attempt);
          this.logger.warn(`PURGE ${url} failed (${reason}); try ${attempt + 1} in ${delay} ms`);
          await this.sleep(delay);
        }
      }
    }
    return { url, purged, requests: batches.length };
  }

  /** One PURGE; resolves to the count Varnish reports. */
  private async send(url: string, batch: PurgePlan): Promise<number> {
    const headers: Record<string, string> = {};
    if (batch.hard.length > 0) headers.xkey = batch.hard.join(' ');
    if (batch.soft.length > 0) headers['xkey-softpurge'] = batch.soft.join(' ');
    let response: Response;
    try {
      response = await fetch(`${url}/`, {
        method: 'PURGE',
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AttemptError(describeNetworkError(error, this.timeoutMs), true);
    }
    const body = await response.text().catch(() => '');
    if (!response.ok) {
      const hint = response.status === 403 ? ' (not in the purgers ACL of the VCL?)' : '';
      throw new AttemptError(
        `${response.status} ${response.statusText}${hint}`.trim(),
        response.status >= 500,
      );
    }
    return purgedCount(body);
  }

  /** Exponential backoff with equal jitter, so that several workers do not retry in step. */
  private backoff(attempt: number): number {
    return backoffDelay(attempt, {
      initialMs: this.initialBackoffMs,
      maxMs: this.maxBackoffMs,
      jitter: 'equal',
      random: this.random,
    });
  }
}

/** `{"purged":N,...}` from our VCL; 0 from a Varnish that answers without a count. */
export function purgedCount(body: string): number {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'purged' in parsed) {
      const purged = parsed.purged;
      if (typeof purged === 'number' && Number.isFinite(purged)) return purged;
    }
  } catch {
    // Not our VCL's JSON: the purge happened, the count is unknown.
  }
  return 0;
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors may come from another realm (jest's vm), failing `instanceof`.
  if (!isErrorLike(error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error.cause;
  if (isErrorLike(cause)) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}

function isErrorLike(value: unknown): value is { name: string; message: string; cause?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
