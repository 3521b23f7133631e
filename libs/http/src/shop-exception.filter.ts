import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { classifyError, errorBody, ErrorStatusMapping } from './error-body';

@Catch()
export class ShopExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly mappings: readonly ErrorStatusMapping[] = []) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, message, unexpected } = classifyError(exception, this.mappings);
    if (unexpected) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : exception,
      );
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
