import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The request's id (`request.id`: the caller's valid X-Request-Id or a generated one, see
 * createShopApp), for handlers that pass it on as the correlation id of the events they cause.
 */
export const RequestId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<FastifyRequest>().id,
);
