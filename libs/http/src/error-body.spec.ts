import { createHash } from 'node:crypto';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { InvalidProductIdError } from '@shop/contracts';
import { classifyError, errorBody, errorLogDetail } from './error-body';
import { bearerToken, tokensMatch } from './admin-token.guard';

class OutOfStock extends Error {}

describe('classifyError', () => {
  it('keeps an HttpException status and flattens validation messages', () => {
    const error = new BadRequestException(['size must not be greater than 100', 'sort is bad']);
    expect(classifyError(error, [])).toEqual({
      status: 400,
      message: 'size must not be greater than 100; sort is bad',
      unexpected: false,
    });
  });

  it('maps a domain error to its status with its own message', () => {
    expect(classifyError(new OutOfStock('only 2 left'), [[OutOfStock, 409]])).toEqual({
      status: 409,
      message: 'only 2 left',
      unexpected: false,
    });
  });

  it('answers 500 for an error no mapping names, whatever status-like field it has', () => {
    const error = Object.assign(new Error('only 3 left'), { httpStatus: 409 });
    expect(classifyError(error, [])).toEqual({
      status: 500,
      message: 'Internal server error',
      unexpected: true,
    });
  });

  it("keeps Fastify's client errors as 4xx", () => {
    const fastifyError = Object.assign(new Error('Body is not valid JSON'), {
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });
    expect(classifyError(fastifyError, []).status).toBe(400);
  });

  it('answers 400 for a bad product id in every app, without an app mapping', () => {
    const error = new InvalidProductIdError('id', '1e3');
    expect(classifyError(error, [])).toEqual({
      status: 400,
      message: error.message,
      unexpected: false,
    });
  });

  it('logs a mapped dependency failure (5xx) with its cause, and tells the client only its message', () => {
    class RedisDown extends Error {}
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const error = new RedisDown('Redis is unavailable', { cause });
    const classified = classifyError(error, [[RedisDown, 503]]);
    expect(classified).toEqual({ status: 503, message: 'Redis is unavailable', unexpected: true });
    expect(errorLogDetail(error)).toContain(
      'caused by: Error: connect ECONNREFUSED 127.0.0.1:6379',
    );
    expect(errorLogDetail('plain')).toBe('plain');
  });

  it('hides anything unexpected behind a 500 without details', () => {
    expect(classifyError(new TypeError('x is undefined'), [])).toEqual({
      status: 500,
      message: 'Internal server error',
      unexpected: true,
    });
  });

  it('builds the JSON error body', () => {
    expect(errorBody(404, 'Product 9 not found')).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Product 9 not found',
    });
    expect(classifyError(new NotFoundException('gone'), []).status).toBe(404);
  });
});

describe('admin token', () => {
  it('reads a bearer token', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('compares tokens of any length', () => {
    expect(tokensMatch('dev-admin-token', 'dev-admin-token')).toBe(true);
    expect(tokensMatch('dev-admin-toke', 'dev-admin-token')).toBe(false);
    expect(tokensMatch('', 'dev-admin-token')).toBe(false);
    const digest = createHash('sha256').update('dev-admin-token').digest();
    expect(tokensMatch('dev-admin-token', digest)).toBe(true);
    expect(tokensMatch('dev-admin-tokens', digest)).toBe(false);
  });
});
