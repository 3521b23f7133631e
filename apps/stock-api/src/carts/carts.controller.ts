import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Carts, type CartView } from '@shop/cart';
import { RequestId } from '@shop/http';
import { cacheHeaders, CachePolicy } from '@shop/http-cache';
import { CartItemDto, CheckoutDto } from './cart.dto';

// Carts and orders are one shopper's: never stored by Varnish or a browser cache.
const NOT_STORED = cacheHeaders(CachePolicy.uncacheable);

/**
 * Carts that hold stock, and checkout. The cart id is the only credential: 128 random bits, so
 * whoever has it owns the cart. The logic (and every atomic step) is in @shop/cart.
 */
@ApiTags('carts')
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field' })
@ApiNotFoundResponse({ description: 'No such cart, product or line' })
@Controller()
export class CartsController {
  constructor(private readonly carts: Carts) {}

  @Post('carts')
  @ApiCreatedResponse({ description: '{ id, status, items: [], totals, expiresAt }' })
  async create(@Res({ passthrough: true }) reply: FastifyReply): Promise<CartView> {
    void reply.headers(NOT_STORED);
    return this.carts.create();
  }

  @Get('carts/:id')
  @ApiOkResponse({ description: 'The cart' })
  async get(
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CartView> {
    void reply.headers(NOT_STORED);
    return this.carts.get(id);
  }

  @Put('carts/:id/items/:productId')
  @ApiOkResponse({ description: 'The cart; the line quantity is held (0 removes the line)' })
  @ApiConflictResponse({ description: 'Not enough stock: names what is left' })
  async setQuantity(
    @Param('id') id: string,
    @Param('productId') productId: string,
    @Body() body: CartItemDto,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CartView> {
    void reply.headers(NOT_STORED);
    return this.carts.setQuantity(id, productId, body.quantity, { correlationId: requestId });
  }

  @Delete('carts/:id/items/:productId')
  @ApiOkResponse({ description: 'The cart without the line; its hold is released' })
  async removeLine(
    @Param('id') id: string,
    @Param('productId') productId: string,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CartView> {
    void reply.headers(NOT_STORED);
    return this.carts.removeLine(id, productId, { correlationId: requestId });
  }

  @Post('carts/:id/checkout')
  @HttpCode(202)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'The same key answers the same order',
  })
  @ApiAcceptedResponse({ description: '{ orderId, status: "pending" }, Location: /orders/:id' })
  @ApiConflictResponse({ description: 'Holds expired and lines can no longer be had, or closed' })
  async checkout(
    @Param('id') id: string,
    @Body() body: CheckoutDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ orderId: string; status: 'pending' }> {
    const result = await this.carts.checkout(
      id,
      { email: body.email, shippingAddress: body.shippingAddress },
      idempotencyKey,
      { correlationId: requestId },
    );
    void reply.headers(NOT_STORED).header('Location', `/orders/${result.orderId}`);
    if (result.replayed) void reply.header('Idempotency-Replayed', 'true');
    return { orderId: result.orderId, status: 'pending' };
  }
}
