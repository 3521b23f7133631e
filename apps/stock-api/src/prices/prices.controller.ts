import { Body, Controller, Param, Put, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ProductPrice } from '@shop/contracts';
import { AdminOnly, ProductIdPipe, RequestId } from '@shop/http';
import { cacheHeaders, CachePolicy } from '@shop/http-cache';
import { parsePriceChange, PriceBook } from '@shop/pricing';

const NOT_STORED = cacheHeaders(CachePolicy.uncacheable);

/**
 * Live prices: validation (parsePriceChange) and the atomic change (PriceBook) live in
 * @shop/pricing; this maps HTTP onto them. The body is validated there rather than by a DTO: its
 * shapes (a price, a sale, `salePrice: null`, or both) and their cross-field rules read better as
 * one function with one message per rule.
 */
@ApiTags('prices')
@Controller()
export class PricesController {
  constructor(private readonly book: PriceBook) {}

  @Put('products/:id/price')
  @AdminOnly()
  @ApiBody({
    description:
      '{ price } | { salePrice, saleStartsAt?, saleEndsAt? } | { salePrice: null } (ends the sale) | both',
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        price: { type: 'number', example: 19.99 },
        salePrice: { type: 'number', nullable: true, example: 14.99 },
        saleStartsAt: { type: 'string', format: 'date-time', nullable: true },
        saleEndsAt: { type: 'string', format: 'date-time', nullable: true },
      },
    },
  })
  @ApiOkResponse({
    description: '{ id, price, salePrice, saleStartsAt, saleEndsAt, effectivePrice, version }',
  })
  @ApiBadRequestResponse({ description: 'An invalid body or id' })
  @ApiNotFoundResponse({ description: 'The catalog has no such product' })
  @ApiConflictResponse({ description: 'A sale price that would not stay below the price' })
  async change(
    @Param('id', ProductIdPipe) id: number,
    @Body() body: unknown,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductPrice> {
    const change = parsePriceChange(body);
    const price = await this.book.apply(id, change, { correlationId: requestId });
    void reply.headers(NOT_STORED);
    return price;
  }
}
