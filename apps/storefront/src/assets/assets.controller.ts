import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cacheHeaders, CachePolicy } from '@shop/http-cache';
import { LiveAssets } from './live-assets';

/** `/assets/<version>/<path>`: the browser script's modules. */
@Controller('assets')
export class AssetsController {
  constructor(private readonly assets: LiveAssets) {}

  @Get(':version/*')
  asset(
    @Param('version') version: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Buffer | string {
    // Asset names are plain ASCII: anything escaped is no asset of ours.
    const path = request.url.split('?')[0].slice(`/assets/${version}/`.length);
    const asset = this.assets.get(path);
    if (!asset) {
      void reply
        .status(404)
        .headers(cacheHeaders(CachePolicy.notFound))
        .type('text/plain; charset=utf-8');
      return 'No such asset\n';
    }
    // A page cached before a deploy may still name the previous version: it gets today's module,
    // but only briefly, so that the old URL is not pinned to new content for a year.
    const policy = version === this.assets.version ? CachePolicy.asset : CachePolicy.stock;
    void reply.status(200).headers(cacheHeaders(policy)).type(asset.contentType);
    return asset.body;
  }
}
