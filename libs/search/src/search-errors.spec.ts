import { errors } from '@elastic/elasticsearch';
import type { DiagnosticResult } from '@elastic/elasticsearch';
import {
  BulkIndexingError,
  isSearchUnavailable,
  responseErrorType,
  SearchUnavailableError,
  toSearchError,
} from './search-errors';

function responseError(statusCode: number, body: unknown): errors.ResponseError {
  return new errors.ResponseError({
    body,
    statusCode,
    headers: {},
    warnings: null,
    meta: {} as DiagnosticResult['meta'],
  });
}

const indexNotFound = responseError(404, {
  error: { type: 'index_not_found_exception', reason: 'no such index [products]' },
  status: 404,
});

describe('isSearchUnavailable', () => {
  it.each([
    ['connection refused', new errors.ConnectionError('connect ECONNREFUSED')],
    ['timeout', new errors.TimeoutError('Request timed out')],
    ['no living connections', new errors.NoLivingConnectionsError('none', {} as DiagnosticResult)],
    ['aborted', new errors.RequestAbortedError('aborted')],
    ['500', responseError(500, { error: { type: 'exception' } })],
    [
      '503 all shards failed',
      responseError(503, { error: { type: 'search_phase_execution_exception' } }),
    ],
    ['429 rejected', responseError(429, { error: { type: 'es_rejected_execution_exception' } })],
    ['408', responseError(408, {})],
    ['missing index behind the alias', indexNotFound],
  ])('%s: yes', (_label, error) => {
    expect(isSearchUnavailable(error)).toBe(true);
  });

  it.each([
    ['400 bad query', responseError(400, { error: { type: 'parsing_exception' } })],
    ['404 document not found', responseError(404, { found: false })],
    ['409 conflict', responseError(409, { error: { type: 'version_conflict_engine_exception' } })],
    ['plain error', new Error('boom')],
    ['not an error', 'boom'],
  ])('%s: no', (_label, error) => {
    expect(isSearchUnavailable(error)).toBe(false);
  });
});

describe('toSearchError', () => {
  it('wraps unavailability with a message safe for clients and the cause for logs', () => {
    const cause = new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200');
    const error = toSearchError(cause);
    expect(error).toBeInstanceOf(SearchUnavailableError);
    expect((error as Error).message).toBe(
      'Elasticsearch is unavailable: search cannot answer; try again shortly',
    );
    expect((error as Error).message).not.toContain('9200');
    expect((error as Error).cause).toBe(cause);
  });

  it('leaves other errors alone and does not wrap twice', () => {
    const bad = responseError(400, {});
    expect(toSearchError(bad)).toBe(bad);
    const already = new SearchUnavailableError();
    expect(toSearchError(already)).toBe(already);
  });
});

describe('responseErrorType', () => {
  it('reads error.type from object bodies only', () => {
    expect(responseErrorType(indexNotFound)).toBe('index_not_found_exception');
    expect(responseErrorType(responseError(404, { error: 'alias [x] missing', status: 404 }))).toBe(
      undefined,
    );
    expect(responseErrorType(responseError(404, { found: false }))).toBeUndefined();
    expect(responseErrorType(responseError(500, 'plain text'))).toBeUndefined();
  });
});

describe('BulkIndexingError', () => {
  it('names the count and the first failure', () => {
    const error = new BulkIndexingError(
      2,
      {
        id: '7',
        status: 400,
        type: 'document_parsing_exception',
        reason: 'failed to parse [price]',
      },
      false,
    );
    expect(error.message).toBe(
      '2 bulk item(s) failed; first: id 7 (400 document_parsing_exception): failed to parse [price]',
    );
    expect(error.transient).toBe(false);
  });
});
