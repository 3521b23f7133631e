import { VarnishPurgeError } from '@shop/http-cache';
import { BulkIndexingError, isSearchUnavailable, SearchUnavailableError } from '@shop/search';
import { LedgerUnavailableError } from '@shop/stock';

/** Socket and MySQL error codes that say the server is away, not that a row is wrong. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

const MAX_CAUSE_DEPTH = 4;

/**
 * True when a batch failed because a dependency is away (Varnish, Elasticsearch, Redis, MySQL):
 * every message of the batch would fail alike, so trying them one by one would only wait out
 * the outage once per message. Anything else (a refused document, a bad row) may be one
 * message's fault and is worth splitting.
 */
export function isDependencyOutage(error: unknown, depth = 0): boolean {
  if (
    error instanceof VarnishPurgeError ||
    error instanceof SearchUnavailableError ||
    error instanceof LedgerUnavailableError
  ) {
    return true;
  }
  if (error instanceof BulkIndexingError) return error.transient;
  if (isSearchUnavailable(error)) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  // ioredis, after `maxRetriesPerRequest` reconnect attempts.
  if (name === 'MaxRetriesPerRequestError') return true;
  return depth < MAX_CAUSE_DEPTH && 'cause' in error
    ? isDependencyOutage(error.cause, depth + 1)
    : false;
}

/**
 * `splitFailedBatches` of the sync consumers: a failed batch is tried message by message to find
 * the bad one, but not while a dependency is away (it goes round the retry path whole).
 */
export function splitUnlessOutage(error: unknown): boolean {
  return !isDependencyOutage(error);
}
