import { errors } from '@elastic/elasticsearch';
import { VarnishPurgeError } from '@shop/http-cache';
import { BulkIndexingError, SearchUnavailableError } from '@shop/search';
import { LedgerUnavailableError } from '@shop/stock';
import { isDependencyOutage, splitUnlessOutage } from './dependency-outage';

const withCode = (code: string): Error => Object.assign(new Error(code), { code });

describe('isDependencyOutage', () => {
  it.each([
    [
      'Varnish purge failure',
      new VarnishPurgeError([{ url: 'http://v', attempts: 4, reason: 'x' }], []),
    ],
    ['search unavailable', new SearchUnavailableError()],
    ['raw Elasticsearch connection error', new errors.ConnectionError('connect ECONNREFUSED')],
    ['Redis ledger unavailable', new LedgerUnavailableError(new Error('Connection is closed.'))],
    [
      'ioredis retries exhausted',
      Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }),
    ],
    ['MySQL connection lost', withCode('PROTOCOL_CONNECTION_LOST')],
    ['socket refused', withCode('ECONNREFUSED')],
    [
      'bulk rejected for load (429)',
      new BulkIndexingError(
        3,
        { id: '1', status: 429, type: 'es_rejected_execution_exception', reason: 'queue full' },
        true,
      ),
    ],
    ['an outage wrapped as a cause', new Error('batch failed', { cause: withCode('ECONNRESET') })],
  ])('%s: yes', (_label, error) => {
    expect(isDependencyOutage(error)).toBe(true);
  });

  it.each([
    ['a plain error', new Error('row 7 is invalid')],
    [
      'a refused document',
      new BulkIndexingError(
        1,
        { id: '7', status: 400, type: 'mapper_parsing_exception', reason: 'bad' },
        false,
      ),
    ],
    ['a duplicate key', withCode('ER_DUP_ENTRY')],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('%s: no', (_label, error) => {
    expect(isDependencyOutage(error)).toBe(false);
  });
});

describe('splitUnlessOutage', () => {
  it('splits a failed batch to find a bad message, but not while a dependency is away', () => {
    expect(splitUnlessOutage(new Error('row 7 is invalid'))).toBe(true);
    expect(
      splitUnlessOutage(
        new VarnishPurgeError([{ url: 'http://v', attempts: 4, reason: '503' }], []),
      ),
    ).toBe(false);
  });
});
