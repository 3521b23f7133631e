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
import { categoryTaxonomy } from '@shop/catalog';
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
  @ApiOkResponse({
    description:
      'Matching products with price statistics and facets, from one Elasticsearch request. ' +
      'Facets are multi-select: `category` and the price filters (`priceRange`, `minPrice`, ' +
      '`maxPrice`) narrow the hits, and each facet is counted with every selection but its own ' +
      '(OR within a facet, AND across facets). Category buckets are `{ key, label, count, ' +
      'selected }`, price ranges `{ key, from, to, count, selected }`; min/avg/max price follow ' +
      'the price facet. `q`, `inStock` and `excludeCategory` narrow hits and every facet.',
  })
  @ApiBadRequestResponse({
    description:
      'A parameter is malformed: a bad slug, more than 20 categories, an unknown priceRange, ' +
      'minPrice above maxPrice, a category both selected and excluded, a page beyond the window',
  })
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
    const both = query.category.filter((slug) => query.excludeCategory.includes(slug));
    if (both.length > 0) {
      throw new BadRequestException(
        `category and excludeCategory must not name the same category: ${both.join(', ')}`,
      );
    }
    const taxonomy = categoryTaxonomy(await this.categories.tree());
    const result = await this.search.search(query.toSearchQuery(), taxonomy);
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
