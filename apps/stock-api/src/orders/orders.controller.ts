import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { OrderView } from '@shop/contracts';
import { AdminOnly, RequestId } from '@shop/http';
import { cacheHeaders, CachePolicy } from '@shop/http-cache';
import { OrderDesk } from '@shop/orders';

// An order is one shopper's: never stored by Varnish or a browser cache.
const NOT_STORED = cacheHeaders(CachePolicy.uncacheable);

/** Orders after checkout: the shopper's view and the admin's cancel. Logic in @shop/orders. */
@ApiTags('orders')
@ApiNotFoundResponse({ description: 'No such order' })
@ApiServiceUnavailableResponse({ description: 'MySQL or Redis is unavailable' })
@Controller()
export class OrdersController {
  constructor(private readonly orders: OrderDesk) {}

  @Get('orders/:id')
  @ApiOkResponse({
    description:
      '{ id, status, email, shippingAddress, lines, totals, placedAt }: pending (Redis) until ' +
      'the order worker has it in MySQL, then confirmed (or paid, cancelled)',
  })
  async get(
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderView> {
    void reply.headers(NOT_STORED);
    return this.orders.get(id);
  }

  @Post('admin/orders/:id/cancel')
  @AdminOnly()
  @HttpCode(200)
  @ApiOkResponse({
    description:
      'The order, cancelled; its units are back on hand (one stock event per line). ' +
      'Cancelling a cancelled order answers the same (idempotent)',
  })
  @ApiConflictResponse({ description: 'The order is pending (not yet confirmed) or paid' })
  async cancel(
    @Param('id') id: string,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderView> {
    void reply.headers(NOT_STORED);
    return this.orders.cancel(id, { correlationId: requestId });
  }
}
