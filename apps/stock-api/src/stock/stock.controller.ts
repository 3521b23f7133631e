import { Body, Controller, Get, Headers, Param, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { MAX_STOCK, STOCK_ACTIONS, type StockLevel } from '@shop/contracts';
import { AdminOnly, ProductIdPipe, RequestId } from '@shop/http';
import { cacheHeaders, CachePolicy, stockTag } from '@shop/http-cache';
import {
  parseProductIdList,
  parseStockChangeBody,
  StockLedger,
  StockNotFoundError,
  validateIdempotencyKey,
} from '@shop/stock';
// Built once: these routes send it on every answer.
const NOT_STORED = cacheHeaders(CachePolicy.uncacheable);

const STOCK_CHANGE_BODY = {
  type: 'object',
  required: ['stock', 'action'],
  additionalProperties: false,
  properties: {
    stock: { type: 'integer', minimum: 0, maximum: MAX_STOCK, example: 5 },
    action: { type: 'string', enum: [...STOCK_ACTIONS], example: 'decrement' },
  },
};

export interface StockChangeResponse {
  id: number;
  /** What can be sold: on hand minus held. */
  stock: number;
  onHand: number;
  held: number;
  version: number;
}

/**
 * Reads and writes of the live ledger. Validation and the atomic change live in @shop/stock;
 * this only maps HTTP onto them.
 */
@ApiTags('stock')
@ApiBadRequestResponse({ description: 'An id that is not a product id, or an invalid body' })
@Controller()
export class StockController {
  constructor(private readonly ledger: StockLedger) {}

  @Get('products/:id/stock')
  @ApiOkResponse({
    description: '{ id, stock (what can be sold), onHand, held (by carts), version, updatedAt }',
  })
  @ApiNotFoundResponse({ description: 'The catalog has no such product' })
  async get(
    @Param('id', ProductIdPipe) id: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StockLevel> {
    const level = await this.ledger.get(id);
    if (!level) throw new StockNotFoundError(id);
    // Cached by Varnish under stock-<id>; every change purges that tag.
    void reply.headers(cacheHeaders({ ...CachePolicy.stock, tags: [stockTag(id)] }));
    return level;
  }

  @Get('stock')
  @ApiQuery({ name: 'ids', example: '1,2,3', description: 'Up to 1000 product ids' })
  @ApiOkResponse({
    description: "The known products' stock, and the ids the catalog does not have",
  })
  async getMany(
    @Query('ids') rawIds: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ items: StockLevel[]; unknown: number[] }> {
    const ids = parseProductIdList(rawIds);
    const levels = await this.ledger.getMany(ids);
    // One tag per id would be unbounded: not stored by Varnish, always fresh.
    void reply.headers(NOT_STORED);
    return {
      items: levels.filter((level): level is StockLevel => level !== null),
      unknown: ids.filter((_, index) => levels[index] === null),
    };
  }

  @Put('products/:id/stock')
  @AdminOnly()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retries with the same key return the first answer',
  })
  @ApiBody({ schema: STOCK_CHANGE_BODY })
  @ApiOkResponse({ description: '{ id, stock, onHand, held, version }: admin acts on onHand' })
  @ApiConflictResponse({ description: 'Not enough stock, or over the limit' })
  async change(
    @Param('id', ProductIdPipe) id: number,
    // `unknown`: the global ValidationPipe leaves it alone; parseStockChangeBody checks it.
    @Body() body: unknown,
    @Headers('idempotency-key') rawKey: string | undefined,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StockChangeResponse> {
    const change = parseStockChangeBody(body);
    const idempotencyKey = rawKey === undefined ? undefined : validateIdempotencyKey(rawKey);
    const result = await this.ledger.apply(id, change, {
      idempotencyKey,
      correlationId: requestId,
    });
    void reply.headers(NOT_STORED);
    if (result.replayed) void reply.header('Idempotency-Replayed', 'true');
    return {
      id: result.id,
      stock: result.stock,
      onHand: result.onHand,
      held: result.held,
      version: result.version,
    };
  }
}
