import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** The header a request id comes in on (from a client or Varnish) and goes back out on. */
export const REQUEST_ID_HEADER = 'x-request-id';
export const MAX_REQUEST_ID_LENGTH = 128;

/** Visible ASCII only: an id ends up in log lines and AMQP properties, so no spaces or controls. */
const REQUEST_ID_PATTERN = /^[\x21-\x7e]+$/;

export function isValidRequestId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_REQUEST_ID_LENGTH &&
    REQUEST_ID_PATTERN.test(value)
  );
}

/**
 * Fastify's `genReqId`: the caller's `X-Request-Id` when it is a sane id, else a new UUID. A
 * repeated header (an array) or an over-long or binary one is replaced rather than trusted, so
 * a client cannot push arbitrary text into our logs or messages.
 */
export function requestIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return isValidRequestId(given) ? given : randomUUID();
}

/** Sends the request's id back as `X-Request-Id`, on every answer (errors and 404s too). */
export function registerRequestIdHeader(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
