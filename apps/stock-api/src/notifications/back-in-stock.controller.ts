import { Body, Controller, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { BackInStockSubscriptionView } from '@shop/contracts';
import { cacheHeaders, CachePolicy } from '@shop/http-cache';
import { BackInStockSignup } from '@shop/notifications';

// One shopper's address: never stored by Varnish or a browser cache.
const NOT_STORED = cacheHeaders(CachePolicy.uncacheable);

/** Back-in-stock sign-ups. Validation and rules in @shop/notifications; the emails: sync-worker. */
@ApiTags('notifications')
@Controller()
export class BackInStockController {
  constructor(private readonly signup: BackInStockSignup) {}

  @Post('notifications/back-in-stock')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['productId', 'email'],
      additionalProperties: false,
      properties: {
        productId: { type: 'integer', minimum: 1, example: 42 },
        email: { type: 'string', format: 'email', maxLength: 254, example: 'ada@example.com' },
      },
    },
  })
  @ApiCreatedResponse({ description: 'Subscribed: one email when the product is back in stock' })
  @ApiOkResponse({
    description: 'The same email already waits for this product: that subscription',
  })
  @ApiBadRequestResponse({ description: 'Not { productId, email }; the message names the field' })
  @ApiNotFoundResponse({ description: 'No such product' })
  @ApiConflictResponse({ description: 'The product is in stock: buy it now' })
  @ApiServiceUnavailableResponse({ description: 'Redis or MySQL is unavailable' })
  async subscribe(
    // `unknown`: the global ValidationPipe leaves it alone; the zod schema of the lib checks it.
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BackInStockSubscriptionView> {
    const result = await this.signup.subscribe(body);
    void reply.headers(NOT_STORED).status(result.created ? 201 : 200);
    return result.subscription;
  }
}
