import {
  attemptNumber,
  copyProperties,
  describeError,
  failedAttemptsSoFar,
  failureHeaders,
  MAX_STACK_LENGTH,
  MessageHeader,
  originOf,
  replayHeaders,
  routeFailure,
} from './failure-policy';
import type { MessageProperties } from 'amqplib';

describe('attempt counting', () => {
  it('treats a fresh message as attempt 1', () => {
    expect(failedAttemptsSoFar(undefined)).toBe(0);
    expect(attemptNumber({})).toBe(1);
  });

  it('reads x-attempts as number, bigint or digit string', () => {
    expect(attemptNumber({ 'x-attempts': 2 })).toBe(3);
    expect(attemptNumber({ 'x-attempts': BigInt(4) })).toBe(5);
    expect(attemptNumber({ 'x-attempts': '3' })).toBe(4);
  });

  it('ignores garbage rather than looping forever on it', () => {
    expect(attemptNumber({ 'x-attempts': 'many' })).toBe(1);
    expect(attemptNumber({ 'x-attempts': -3 })).toBe(1);
    expect(attemptNumber({ 'x-attempts': Number.NaN })).toBe(1);
  });

  it('does not count the broker delivery count', () => {
    expect(attemptNumber({ 'x-delivery-count': 7 })).toBe(1);
  });
});

describe('routeFailure', () => {
  const base = { maxAttempts: 5, retryDelaysMs: [1000, 5000, 30000], poison: false };

  it('retries with growing backoff, the last delay repeating', () => {
    expect(routeFailure({ ...base, attempt: 1 })).toEqual({
      kind: 'retry',
      delayMs: 1000,
      attempts: 1,
    });
    expect(routeFailure({ ...base, attempt: 2 })).toEqual({
      kind: 'retry',
      delayMs: 5000,
      attempts: 2,
    });
    expect(routeFailure({ ...base, attempt: 3 })).toEqual({
      kind: 'retry',
      delayMs: 30000,
      attempts: 3,
    });
    expect(routeFailure({ ...base, attempt: 4 })).toEqual({
      kind: 'retry',
      delayMs: 30000,
      attempts: 4,
    });
  });

  it('dead-letters once the attempts are used up', () => {
    expect(routeFailure({ ...base, attempt: 5 })).toEqual({
      kind: 'dead',
      reason: 'retries-exhausted',
      attempts: 5,
    });
    expect(routeFailure({ ...base, attempt: 9 })).toMatchObject({ kind: 'dead', attempts: 9 });
  });

  it('dead-letters poison at once', () => {
    expect(routeFailure({ ...base, attempt: 1, poison: true })).toEqual({
      kind: 'dead',
      reason: 'poison',
      attempts: 1,
    });
  });

  it('never retries when one attempt is allowed', () => {
    expect(routeFailure({ ...base, maxAttempts: 1, attempt: 1 })).toMatchObject({ kind: 'dead' });
  });
});

describe('failureHeaders', () => {
  const now = new Date('2025-01-02T03:04:05.000Z');
  const fields = { exchange: 'stock', routingKey: 'info' };

  it('records the error, the attempt count and where the message came from', () => {
    const headers = failureHeaders(
      { 'x-custom': 'kept', 'x-death': [{ count: 1 }], 'x-delivery-count': 2 },
      { error: new TypeError('boom'), attempts: 2, fields, now },
    );
    expect(headers).toMatchObject({
      'x-custom': 'kept',
      [MessageHeader.Attempts]: 2,
      [MessageHeader.Error]: 'TypeError: boom',
      [MessageHeader.FailedAt]: '2025-01-02T03:04:05.000Z',
      [MessageHeader.OriginalExchange]: 'stock',
      [MessageHeader.OriginalRoutingKey]: 'info',
    });
    expect(headers[MessageHeader.ErrorStack]).toContain('TypeError: boom');
    expect(headers).not.toHaveProperty('x-death');
    expect(headers).not.toHaveProperty('x-delivery-count');
    expect(headers).not.toHaveProperty(MessageHeader.DeadReason);
  });

  it('keeps the first origin across retry round trips', () => {
    const first = failureHeaders({}, { error: 'x', attempts: 1, fields, now });
    const second = failureHeaders(first, {
      error: 'y',
      attempts: 2,
      fields: { exchange: '', routingKey: 'sync.stock' },
      now,
    });
    expect(originOf({ exchange: '', routingKey: 'sync.stock' }, second)).toEqual({
      exchange: 'stock',
      routingKey: 'info',
    });
  });

  it('marks dead letters with the reason', () => {
    const headers = failureHeaders(
      {},
      { error: 'x', attempts: 5, fields, now, deadReason: 'retries-exhausted' },
    );
    expect(headers[MessageHeader.DeadReason]).toBe('retries-exhausted');
  });

  it('truncates long stacks so the header table stays small', () => {
    const error = new Error('deep');
    error.stack = 'x'.repeat(100_000);
    expect(describeError(error).stack.length).toBeLessThanOrEqual(MAX_STACK_LENGTH);
    const headers = failureHeaders({}, { error, attempts: 1, fields, now });
    expect(String(headers[MessageHeader.ErrorStack]).length).toBeLessThanOrEqual(MAX_STACK_LENGTH);
  });

  it('describes non-Error throwables', () => {
    expect(describeError({ code: 42 }).message).toBe('{"code":42}');
    expect(describeError('plain').message).toBe('plain');
  });
});

describe('replayHeaders', () => {
  it('resets the attempt and error headers and keeps the origin', () => {
    const now = new Date('2025-01-02T03:04:05.000Z');
    const failed = failureHeaders(
      { 'x-custom': 1 },
      {
        error: 'x',
        attempts: 5,
        fields: { exchange: 'stock', routingKey: 'info' },
        now,
        deadReason: 'poison',
      },
    );
    const replayed = replayHeaders({ ...failed, 'x-first-death-reason': 'expired' }, now);
    expect(replayed).toEqual({
      'x-custom': 1,
      [MessageHeader.OriginalExchange]: 'stock',
      [MessageHeader.OriginalRoutingKey]: 'info',
      [MessageHeader.ReplayedAt]: now.toISOString(),
    });
    expect(attemptNumber(replayed)).toBe(1);
  });
});

describe('copyProperties', () => {
  it('keeps identity and metadata, drops the expiration, forces persistence', () => {
    const properties = {
      contentType: 'application/json',
      contentEncoding: undefined,
      headers: {},
      deliveryMode: 1,
      priority: undefined,
      correlationId: undefined,
      replyTo: 'someone',
      expiration: '1000',
      messageId: 'm-1',
      timestamp: 1700000000,
      type: 'stock.changed',
      userId: undefined,
      appId: 'stock-api',
      clusterId: undefined,
    } as MessageProperties;
    expect(copyProperties(properties, { a: 1 })).toEqual({
      persistent: true,
      headers: { a: 1 },
      contentType: 'application/json',
      messageId: 'm-1',
      timestamp: 1700000000,
      type: 'stock.changed',
      appId: 'stock-api',
    });
  });
});
