import type { FastifyInstance } from 'fastify';

/**
 * Methods whose request body has no meaning here: clients (and HTTP libraries) often send
 * `Content-Type: application/json` on them out of habit, with nothing after it.
 */
const NO_BODY_METHODS: ReadonlySet<string> = new Set(['DELETE', 'OPTIONS']);

/**
 * A DELETE or OPTIONS that declares a content type but carries no body (no Content-Length or 0,
 * not chunked) is handled as the body-less request it is. Fastify would otherwise hand the empty
 * body to the JSON parser, which answers 400 "Body cannot be empty when content-type is set to
 * 'application/json'". The parser itself stays Nest's (it registers it at init, so it cannot be
 * swapped from here): bad JSON on any method, and an empty body on POST, PUT or PATCH, stay 400.
 */
export function ignoreContentTypeWithoutBody(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const { headers } = request;
    if (
      NO_BODY_METHODS.has(request.method) &&
      headers['content-type'] !== undefined &&
      headers['transfer-encoding'] === undefined &&
      (headers['content-length'] === undefined || headers['content-length'] === '0')
    ) {
      // Fastify picks the parser from this header after the onRequest hooks.
      delete request.raw.headers['content-type'];
    }
    done();
  });
}
