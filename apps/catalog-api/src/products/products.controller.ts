import {
  BadRequestException,
  Controller,
  Get,
  NotFoundException,
  Param,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { expandCategorySlugs } from '@shop/catalog';
import type { ProductDocument, ProductSearchResult } from '@shop/contracts';
import { ProductIdPipe } from '@shop/http';
import { cacheHeaders, CachePolicy, LISTING_TAG, listingTags, productTag } from '@shop/http-cache';
import { ProductSearch } from '@shop/search';
import { CategoryTreeCache } from '../categories/category-tree.cache';
import { SearchProductsQuery, SuggestQuery } from './search-products.query';

@ApiTags('catalog')
@Controller('products')
export class ProductsController {
  constructor(
    private readonly search: ProductSearch,
    private readonly categories: CategoryTreeCache,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Matching products with price statistics and category facets' })
  async list(
    @Query() query: SearchProductsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductSearchResult> {
    if (
      query.minPrice !== undefined &&
      query.maxPrice !== undefined &&
      query.minPrice > query.maxPrice
    ) {
      throw new BadRequestException('minPrice must not be greater than maxPrice');
    }
    const categories = expandCategorySlugs(await this.categories.tree(), query.category);
    const result = await this.search.search(query.toSearchQuery(categories));
    // Listing-level tags only: a product change soft-purges `listing`, so the header stays small
    // however many products the page shows.
    void reply.headers(cacheHeaders({ ...CachePolicy.listing, tags: listingTags(query.category) }));
    return result;
  }

  @Get('suggest')
  @ApiOkResponse({ description: 'Up to 10 product names starting with what was typed' })
  async suggest(
    @Query() query: SuggestQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ id: number; name: string }[]> {
    const suggestions = await this.search.suggest(query.q, query.limit);
    void reply.headers(cacheHeaders({ ...CachePolicy.listing, tags: [LISTING_TAG] }));
    return suggestions;
  }

  @Get(':id')
  @ApiOkResponse({ description: 'One product' })
  @ApiNotFoundResponse({ description: 'No such product' })
  @ApiBadRequestResponse({ description: 'The id is not a product id (digits only)' })
  async get(
    @Param('id', ProductIdPipe) id: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductDocument> {
    const product = await this.search.getById(id);
    if (!product) {
      // Cached briefly and tagged, so that creating the product purges the 404.
      void reply.headers(cacheHeaders({ ...CachePolicy.notFound, tags: [productTag(id)] }));
      throw new NotFoundException(`Product ${id} not found`);
    }
    void reply.headers(cacheHeaders({ ...CachePolicy.product, tags: [productTag(id)] }));
    return product;
  }
}
