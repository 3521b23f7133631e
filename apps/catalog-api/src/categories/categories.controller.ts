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
    const tree = await this.categories.tree();
    void reply.headers(cacheHeaders({ ...CachePolicy.menu, tags: [MENU_TAG] }));
    return tree;
  }
}
