import { errors } from '@elastic/elasticsearch';

/**
 * Elasticsearch cannot answer right now (down, overloaded, timing out, index missing). The HTTP
 * layer maps it to 503. The message is safe to show; the original error is kept in `cause` for
 * logs only.
 */
export class SearchUnavailableError extends Error {
  override readonly name = 'SearchUnavailableError';

  constructor(cause?: unknown) {
    super('Elasticsearch is unavailable: search cannot answer; try again shortly', { cause });
  }
}

/**
 * The requested page lies outside what Elasticsearch will page through (`from + size` above
 * `index.max_result_window`), or page/size are not positive. Bad input: the HTTP layer maps it
 * to 400.
 */
export class SearchPageOutOfRangeError extends Error {
  override readonly name = 'SearchPageOutOfRangeError';
}

/**
 * A bulk request was accepted but some of its items failed. `transient` is true when every failure
 * is worth retrying (429 queue full, 5xx), false when a document itself was refused (a mapping
 * conflict: retrying the same message will not help, dead-letter it).
 */
export class BulkIndexingError extends Error {
  override readonly name = 'BulkIndexingError';

  constructor(
    readonly failedCount: number,
    readonly firstFailure: { id: string | null; status: number; type: string; reason: string },
    readonly transient: boolean,
  ) {
    super(
      `${failedCount} bulk item(s) failed; first: id ${firstFailure.id ?? '?'} ` +
        `(${firstFailure.status} ${firstFailure.type}): ${firstFailure.reason}`,
    );
  }
}

/** Status codes meaning "try again later" rather than "your request is wrong". */
const UNAVAILABLE_STATUSES = new Set([408, 429]);

/** True when `error` says Elasticsearch is unreachable or unable to serve, not that we erred. */
export function isSearchUnavailable(error: unknown): boolean {
  if (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError ||
    error instanceof errors.RequestAbortedError ||
    error instanceof errors.ProductNotSupportedError
  ) {
    return true;
  }
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode ?? 0;
    if (status >= 500 || UNAVAILABLE_STATUSES.has(status)) return true;
    // Reading through an alias that does not exist yet: the catalog is not provisioned.
    return status === 404 && responseErrorType(error) === 'index_not_found_exception';
  }
  return false;
}

/** Wraps "unavailable" errors in SearchUnavailableError; anything else is returned unchanged. */
export function toSearchError(error: unknown): unknown {
  if (error instanceof SearchUnavailableError) return error;
  return isSearchUnavailable(error) ? new SearchUnavailableError(error) : error;
}

/** `error.type` of an Elasticsearch error response, e.g. `index_not_found_exception`. */
export function responseErrorType(error: errors.ResponseError): string | undefined {
  const body: unknown = error.body;
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const cause: unknown = body.error;
  if (typeof cause !== 'object' || cause === null || !('type' in cause)) return undefined;
  return typeof cause.type === 'string' ? cause.type : undefined;
}
