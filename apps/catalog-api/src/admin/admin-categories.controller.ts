import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CategoryWriteService } from '@shop/catalog';
import type { CategoryDetails } from '@shop/contracts';
import { AdminOnly, RequestId } from '@shop/http';
import { CategoryCreateDto, CategoryDeleteQuery, CategoryPatchDto } from './category-input.dto';
import { CategorySlugPipe } from './category-slug.pipe';

/**
 * Merchandisers' category writes over HTTP: validation, auth and status codes here; the write
 * (MySQL and outbox together, then the relay woken) is CategoryWriteService's.
 */
@ApiTags('admin')
@ApiBadRequestResponse({
  description: 'Invalid field, a slug that is not [a-z0-9-]{1,64}, or a move that makes a cycle',
})
@AdminOnly()
@Controller('admin/categories')
export class AdminCategoriesController {
  constructor(private readonly writes: CategoryWriteService) {}

  @Post()
  @ApiCreatedResponse({ description: 'The created category' })
  @ApiConflictResponse({ description: 'The slug is taken' })
  @ApiNotFoundResponse({ description: 'Unknown parentSlug' })
  async create(
    @Body() input: CategoryCreateDto,
    @RequestId() correlationId: string,
  ): Promise<CategoryDetails> {
    return this.writes.create(input, { correlationId });
  }

  @Patch(':slug')
  @ApiOkResponse({ description: 'The category as it is now' })
  @ApiNotFoundResponse({ description: 'Unknown category or parentSlug' })
  async update(
    @Param('slug', CategorySlugPipe) slug: string,
    @Body() patch: CategoryPatchDto,
    @RequestId() correlationId: string,
  ): Promise<CategoryDetails> {
    if (
      patch.name === undefined &&
      patch.parentSlug === undefined &&
      patch.position === undefined
    ) {
      throw new BadRequestException('the body must set at least one of name, parentSlug, position');
    }
    return this.writes.update(slug, patch, { correlationId });
  }

  @Delete(':slug')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted (its products and children moved first)' })
  @ApiNotFoundResponse({ description: 'Unknown category or reassignTo' })
  @ApiConflictResponse({ description: 'Products or child categories remain and no reassignTo' })
  async remove(
    @Param('slug', CategorySlugPipe) slug: string,
    @Query() query: CategoryDeleteQuery,
    @RequestId() correlationId: string,
  ): Promise<void> {
    await this.writes.delete(slug, { reassignTo: query.reassignTo, correlationId });
  }
}
