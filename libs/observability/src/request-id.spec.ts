import Fastify, { type FastifyInstance } from 'fastify';
import {
  isValidRequestId,
  MAX_REQUEST_ID_LENGTH,
  registerRequestIdHeader,
  requestIdOf,
} from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('isValidRequestId', () => {
  it.each([
    ['a UUID', '3f2b8c1e-5d4a-4c7b-9e0f-123456789abc'],
    ['Varnish-style digits', '32770'],
    ['visible ASCII punctuation', 'trace:abc/def_1.2+x=y'],
    ['exactly the longest allowed', 'x'.repeat(MAX_REQUEST_ID_LENGTH)],
  ])('accepts %s', (_label, value) => {
    expect(isValidRequestId(value)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['one character too long', 'x'.repeat(MAX_REQUEST_ID_LENGTH + 1)],
    ['a space', 'two words'],
    ['a line break (log injection)', 'abc\n{"level":60}'],
    ['a control character', 'abc\u0007'],
    ['non-ASCII', 'caf\u00e9'],
    ['a repeated header (array)', ['a', 'b']],
    ['absent', undefined],
  ])('refuses %s', (_label, value) => {
    expect(isValidRequestId(value)).toBe(false);
  });
});

describe('requestIdOf', () => {
  it("keeps the caller's valid X-Request-Id", () => {
    expect(requestIdOf({ headers: { 'x-request-id': 'from-varnish-1' } })).toBe('from-varnish-1');
  });

  it('generates a UUID when the header is absent or not a sane id', () => {
    expect(requestIdOf({ headers: {} })).toMatch(UUID);
    expect(requestIdOf({ headers: { 'x-request-id': 'a b' } })).toMatch(UUID);
    expect(requestIdOf({ headers: { 'x-request-id': 'y'.repeat(200) } })).toMatch(UUID);
    expect(requestIdOf({ headers: {} })).not.toBe(requestIdOf({ headers: {} }));
  });
});

describe('registerRequestIdHeader', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    // The same options createShopApp gives Fastify.
    app = Fastify({ genReqId: requestIdOf });
    registerRequestIdHeader(app);
    app.get('/ok', (request) => ({ id: request.id }));
    app.get('/fails', async (_request, reply) => reply.status(503).send({ down: true }));
    await app.ready();
  });

  afterAll(() => app.close());

  it('uses the given id as request.id and returns it as X-Request-Id', async () => {
    const response = await app.inject({ url: '/ok', headers: { 'x-request-id': 'abc-123' } });
    expect(response.headers['x-request-id']).toBe('abc-123');
    expect(response.json()).toEqual({ id: 'abc-123' });
  });

  it('returns a generated id on errors and unknown routes too', async () => {
    for (const url of ['/fails', '/nowhere']) {
      const response = await app.inject({ url, headers: { 'x-request-id': 'bad id' } });
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.headers['x-request-id']).toMatch(UUID);
    }
  });
});
