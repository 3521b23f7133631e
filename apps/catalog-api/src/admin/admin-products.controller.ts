import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CatalogWriteService } from '@shop/catalog';
import type { Product } from '@shop/contracts';
import { AdminOnly, ProductIdPipe, RequestId } from '@shop/http';
import { ProductInputDto, ProductPatchDto } from './product-input.dto';

/**
 * Merchandisers' writes over HTTP: validation, auth and status codes here; the write itself (MySQL
 * and outbox together, then the relay woken) is CatalogWriteService's.
 */
@ApiTags('admin')
@ApiBadRequestResponse({
  description: 'Invalid field, unknown category, or an id that is not digits',
})
@AdminOnly()
@Controller('admin/products')
export class AdminProductsController {
  constructor(private readonly writes: CatalogWriteService) {}

  @Post()
  @ApiCreatedResponse({ description: 'The created product with its id' })
  @ApiConflictResponse({ description: 'The SKU is taken' })
  @ApiBadRequestResponse({ description: 'Invalid field or unknown category' })
  async create(
    @Body() input: ProductInputDto,
    @RequestId() correlationId: string,
  ): Promise<Product> {
    return this.writes.create(input, { correlationId });
  }

  @Put(':id')
  @ApiOkResponse({ description: 'The replaced product' })
  @ApiNotFoundResponse()
  async replace(
    @Param('id', ProductIdPipe) id: number,
    @Body() input: ProductInputDto,
    @RequestId() correlationId: string,
  ): Promise<Product> {
    return this.writes.replace(id, input, { correlationId });
  }

  @Patch(':id')
  @ApiOkResponse({ description: 'The updated product' })
  @ApiNotFoundResponse()
  async patch(
    @Param('id', ProductIdPipe) id: number,
    @Body() patch: ProductPatchDto,
    @RequestId() correlationId: string,
  ): Promise<Product> {
    return this.writes.patch(id, patch, { correlationId });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNotFoundResponse()
  async remove(
    @Param('id', ProductIdPipe) id: number,
    @RequestId() correlationId: string,
  ): Promise<void> {
    await this.writes.delete(id, { correlationId });
  }
}
