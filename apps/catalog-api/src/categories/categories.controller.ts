import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CategoryNode } from '@shop/contracts';
import { cacheHeaders, CachePolicy, MENU_TAG } from '@shop/http-cache';
import { CategoryTreeCache } from './category-tree.cache';

@ApiTags('catalog')
@Controller('categories')
export class CategoriesController {
  constructor(private readonly categories: CategoryTreeCache) {}

  @Get()
  @ApiOkResponse({ description: 'The category tree for the menu' })
  async tree(@Res({ passthrough: true }) reply: FastifyReply): Promise<CategoryNode[]> {
    // Varnish keeps the answer a day and the category consumer purges it after a change: what
    // the origin answers then must be MySQL's tree, not this process's copy.
    const tree = await this.categories.fresh();
    void reply.headers(cacheHeaders({ ...CachePolicy.menu, tags: [MENU_TAG] }));
    return tree;
  }
}
