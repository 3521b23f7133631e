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
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  Carts,
  MAX_LINE_QUANTITY,
  parseCartItem,
  parseCheckoutInput,
  type CartView,
} from '@shop/cart';
import { RequestId } from '@shop/http';
import { cacheHeaders, CachePolicy } from '@shop/http-cache';

// Carts and orders are one shopper's: never stored by Varnish or a browser cache.
const NOT_STORED = cacheHeaders(CachePolicy.uncacheable);

const text = (maxLength: number, example: string) => ({
  type: 'string',
  minLength: 1,
  maxLength,
  example,
});

// The documented bodies; what is enforced, with the messages, is parseNewCart, parseCartItem and
// parseCheckoutInput in @shop/cart.
const CART_ITEM_BODY = {
  type: 'object',
  required: ['quantity'],
  additionalProperties: false,
  properties: { quantity: { type: 'integer', minimum: 0, maximum: MAX_LINE_QUANTITY, example: 1 } },
};
// No body makes an empty cart; a body is the new cart's first line (one request, one hold).
const NEW_CART_BODY = {
  type: 'object',
  required: ['productId', 'quantity'],
  additionalProperties: false,
  properties: {
    productId: { type: 'integer', minimum: 1, example: 3 },
    quantity: { type: 'integer', minimum: 1, maximum: MAX_LINE_QUANTITY, example: 1 },
  },
};
const CHECKOUT_BODY = {
  type: 'object',
  required: ['email', 'shippingAddress'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254, example: 'ada@example.com' },
    shippingAddress: {
      type: 'object',
      required: ['name', 'line1', 'city', 'postcode', 'country'],
      additionalProperties: false,
      properties: {
        name: text(200, 'Ada Lovelace'),
        line1: text(200, '12 Analytical Row'),
        line2: { type: 'string', maxLength: 200, example: 'Flat 2' },
        city: text(100, 'London'),
        postcode: text(20, 'N1 9GU'),
        country: {
          type: 'string',
          pattern: '^[A-Z]{2}$',
          description: 'ISO 3166-1 alpha-2, upper case',
          example: 'GB',
        },
      },
    },
  },
};

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
  @ApiBody({ schema: NEW_CART_BODY, required: false })
  @ApiCreatedResponse({
    description: '{ id, status, items, totals, expiresAt }: empty, or with its first line held',
  })
  @ApiConflictResponse({ description: 'Not enough stock for the first line: no cart was made' })
  async create(
    // `unknown`: the global ValidationPipe leaves it alone; Carts.create checks it (parseNewCart).
    @Body() body: unknown,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CartView> {
    void reply.headers(NOT_STORED);
    return this.carts.create(body, { correlationId: requestId });
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
  @ApiBody({ schema: CART_ITEM_BODY })
  @ApiOkResponse({ description: 'The cart; the line quantity is held (0 removes the line)' })
  @ApiConflictResponse({ description: 'Not enough stock: names what is left' })
  async setQuantity(
    @Param('id') id: string,
    @Param('productId') productId: string,
    // `unknown`: the global ValidationPipe leaves it alone; parseCartItem checks it.
    @Body() body: unknown,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CartView> {
    const quantity = parseCartItem(body);
    void reply.headers(NOT_STORED);
    return this.carts.setQuantity(id, productId, quantity, { correlationId: requestId });
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
  @ApiBody({ schema: CHECKOUT_BODY })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'The same key answers the same order',
  })
  @ApiAcceptedResponse({ description: '{ orderId, status: "pending" }, Location: /orders/:id' })
  @ApiConflictResponse({ description: 'Holds expired and lines can no longer be had, or closed' })
  async checkout(
    @Param('id') id: string,
    // `unknown`: the global ValidationPipe leaves it alone; parseCheckoutInput checks it.
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ orderId: string; status: 'pending' }> {
    const result = await this.carts.checkout(id, parseCheckoutInput(body), idempotencyKey, {
      correlationId: requestId,
    });
    void reply.headers(NOT_STORED).header('Location', `/orders/${result.orderId}`);
    if (result.replayed) void reply.header('Idempotency-Replayed', 'true');
    return { orderId: result.orderId, status: 'pending' };
  }
}
