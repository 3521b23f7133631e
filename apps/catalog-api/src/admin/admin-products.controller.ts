import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { toProduct } from '@shop/persistence';
import type { Product } from '@shop/contracts';
import { AdminOnly, ProductIdPipe, RequestId } from '@shop/http';
import { ProductRepository } from '@shop/persistence';
import { CatalogOutboxRelayService } from './catalog-outbox-relay.service';
import { ProductInputDto, ProductPatchDto } from './product-input.dto';

/**
 * Merchandisers' writes. MySQL is the source of truth: each write commits the product and its
 * outbox event together; search and caches follow through the relay and the sync worker.
 */
@ApiTags('admin')
@ApiBadRequestResponse({
  description: 'Invalid field, unknown category, or an id that is not digits',
})
@AdminOnly()
@Controller('admin/products')
export class AdminProductsController {
  constructor(
    private readonly products: ProductRepository,
    private readonly relay: CatalogOutboxRelayService,
  ) {}

  @Post()
  @ApiCreatedResponse({ description: 'The created product with its id' })
  @ApiConflictResponse({ description: 'The SKU is taken' })
  @ApiBadRequestResponse({ description: 'Invalid field or unknown category' })
  async create(
    @Body() input: ProductInputDto,
    @RequestId() correlationId: string,
  ): Promise<Product> {
    const product = await this.products.create(input, { correlationId });
    this.relay.notify();
    return toProduct(product);
  }

  @Put(':id')
  @ApiOkResponse({ description: 'The replaced product' })
  @ApiNotFoundResponse()
  async replace(
    @Param('id', ProductIdPipe) id: number,
    @Body() input: ProductInputDto,
    @RequestId() correlationId: string,
  ): Promise<Product> {
    const product = await this.products.replace(id, input, { correlationId });
    this.relay.notify();
    return toProduct(product);
  }

  @Patch(':id')
  @ApiOkResponse({ description: 'The updated product' })
  @ApiNotFoundResponse()
  async patch(
    @Param('id', ProductIdPipe) id: number,
    @Body() patch: ProductPatchDto,
    @RequestId() correlationId: string,
  ): Promise<Product> {
    const product = await this.products.patch(id, patch, { correlationId });
    this.relay.notify();
    return toProduct(product);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNotFoundResponse()
  async remove(
    @Param('id', ProductIdPipe) id: number,
    @RequestId() correlationId: string,
  ): Promise<void> {
    await this.products.delete(id, { correlationId });
    this.relay.notify();
  }
}
