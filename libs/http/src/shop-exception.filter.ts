import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { classifyError, errorBody, errorLogDetail, ErrorStatusMapping } from './error-body';

/** The body of a failed @nestjs/terminus check (`{ status: 'error', info, error, details }`). */
function healthReport(exception: unknown): object | undefined {
  if (!(exception instanceof ServiceUnavailableException)) return undefined;
  const response = exception.getResponse();
  return typeof response === 'object' && 'details' in response && 'status' in response
    ? response
    : undefined;
}

@Catch()
export class ShopExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly mappings: readonly ErrorStatusMapping[] = []) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const health = healthReport(exception);
    if (health) {
      // Terminus's report names the dependency that is down: monitors and people need it.
      void reply.status(503).header('Cache-Control', 'no-store').send(health);
      return;
    }
    const { status, message, unexpected } = classifyError(exception, this.mappings);
    if (unexpected) {
      // With the request id, so this line and the request's own line can be found together.
      const reqId = host.switchToHttp().getRequest<FastifyRequest | undefined>()?.id;
      this.logger.error({ reqId }, errorLogDetail(exception));
    }
    // A handler may have marked the error cacheable on purpose (a tagged 404); anything else
    // must not be stored.
    if (!reply.hasHeader('surrogate-control')) void reply.header('Cache-Control', 'no-store');
    void reply
      .status(status)
      .type('application/json; charset=utf-8')
      .send(errorBody(status, message));
  }
}
