import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Level, Logger } from 'pino';

/** Paths polled by monitors: a line per poll would bury the lines that matter. */
const QUIET_PATHS: ReadonlySet<string> = new Set(['/health', '/metrics']);

/** Methods that change something: their successes are worth a line at the default level. */
const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Successful reads log at debug, successful writes at info (one line per admin change, with its
 * request id: what an operator greps for to follow a change into the events), client errors at
 * warn, failures at error.
 */
export function requestLogLevel(statusCode: number, method = 'GET'): Level {
  if (statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'warn';
  return WRITE_METHODS.has(method) ? 'info' : 'debug';
}

export interface RequestLogLine {
  req: { id: string; method: string; url: string; remoteAddress: string | undefined };
  res: { statusCode: number };
  responseTime: number;
}

export function requestLogLine(request: FastifyRequest, reply: FastifyReply): RequestLogLine {
  return {
    req: {
      id: request.id,
      method: request.method,
      url: request.url,
      remoteAddress: request.ip,
    },
    res: { statusCode: reply.statusCode },
    responseTime: Math.round(reply.elapsedTime * 10) / 10,
  };
}

function isQuiet(url: string): boolean {
  const query = url.indexOf('?');
  return QUIET_PATHS.has(query === -1 ? url : url.slice(0, query));
}

/**
 * One line per finished request, written from Fastify's onResponse hook. Unlike pino-http's
 * middleware, which builds a child logger with the serialized request for every request (and
 * needs Nest's Express-style middleware layer), nothing is built unless the line's level is on:
 * at the default `info`, a successful read costs one level check. `req.id` is the request id
 * (see request-id.ts).
 */
export function registerRequestLog(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = requestLogLevel(reply.statusCode, request.method);
    if (logger.isLevelEnabled(level) && !isQuiet(request.url)) {
      logger[level](requestLogLine(request, reply), 'request completed');
    }
    done();
  });
}
