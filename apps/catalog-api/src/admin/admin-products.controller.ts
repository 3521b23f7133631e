import {
  Body,
  Controller,
  Delete,
  HttpCode,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Put,
} from '@nestjs/common';
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
import { AdminOnly } from '@shop/http';
import { ProductRepository } from '@shop/persistence';
import { CatalogOutboxRelayService } from './catalog-outbox-relay.service';
import { ProductInputDto, ProductPatchDto } from './product-input.dto';

const productId = new ParseIntPipe({ errorHttpStatusCode: 404 });

/**
 * Merchandisers' writes. MySQL is the source of truth: each write commits the product and its
 * outbox event together; search and caches follow through the relay and the sync worker.
 */
@ApiTags('admin')
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
  async create(@Body() input: ProductInputDto): Promise<Product> {
    const product = await this.products.create(input);
    this.relay.notify();
    return toProduct(product);
  }

  @Put(':id')
  @ApiOkResponse({ description: 'The replaced product' })
  @ApiNotFoundResponse()
  async replace(
    @Param('id', productId) id: number,
    @Body() input: ProductInputDto,
  ): Promise<Product> {
    const product = await this.products.replace(id, input);
    this.relay.notify();
    return toProduct(product);
  }

  @Patch(':id')
  @ApiOkResponse({ description: 'The updated product' })
  @ApiNotFoundResponse()
  async patch(
    @Param('id', productId) id: number,
    @Body() patch: ProductPatchDto,
  ): Promise<Product> {
    const product = await this.products.patch(id, patch);
    this.relay.notify();
    return toProduct(product);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNotFoundResponse()
  async remove(@Param('id', productId) id: number): Promise<void> {
    await this.products.delete(id);
    this.relay.notify();
  }
}
