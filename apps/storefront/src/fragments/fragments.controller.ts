import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cacheHeaders, CacheOptions, CachePolicy, stockTag } from '@shop/http-cache';
import {
  BadPageRequest,
  isAnonymous,
  parseProductIdParam,
  SHARED_FRAGMENT_TAGS,
  visitorFromCookies,
} from '@shop/storefront';
import { HtmlResponse, sendHtml } from '../rendering/html-response';
import { RenderedFragment, StorefrontFragments } from './storefront-fragments';

/**
 * A fragment that is complete gets its own lifetime and tags; one rendered around a failed
 * dependency answers 503 and is never stored, so Varnish keeps (or soon refetches) the good copy.
 */
function fragmentResponse(
  fragment: RenderedFragment,
  policy: CacheOptions,
  tags: string[],
): HtmlResponse {
  if (fragment.missing) {
    // Not stored: the product may be registered with the stock API a moment later, and nothing
    // would purge a cached 404 then. The body still reads sensibly where a page includes it.
    return { status: 404, headers: cacheHeaders(CachePolicy.uncacheable), html: fragment.html };
  }
  return fragment.complete
    ? { status: 200, headers: cacheHeaders({ ...policy, tags }), html: fragment.html }
    : {
        status: 503,
        headers: cacheHeaders(CachePolicy.uncacheable),
        html: fragment.html,
      };
}

/** The ESI fragments Varnish fetches while assembling a page. */
@Controller('fragments')
export class FragmentsController {
  constructor(private readonly fragments: StorefrontFragments) {}

  @Get('menu')
  async menu(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const fragment = await this.fragments.menu();
    return sendHtml(
      reply,
      fragmentResponse(fragment, CachePolicy.menu, [SHARED_FRAGMENT_TAGS.menu]),
    );
  }

  /**
   * Built from the visitor's cookies. A shopper's own (a cart or a name) is never stored by
   * Varnish or anyone else; an anonymous visitor's is the same for all of them and shared.
   */
  @Get('header')
  async header(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const visitor = visitorFromCookies(request.headers.cookie);
    const fragment = await this.fragments.header(visitor);
    // Complete or not (no cart count), a shopper's header answers 200: it is never stored. The
    // anonymous header reads nothing, so it is always complete.
    return sendHtml(reply, {
      status: 200,
      headers: isAnonymous(visitor)
        ? cacheHeaders({ ...CachePolicy.anonymousHeader, tags: [SHARED_FRAGMENT_TAGS.header] })
        : cacheHeaders(CachePolicy.private),
      html: fragment.html,
    });
  }

  @Get('footer')
  footer(@Res({ passthrough: true }) reply: FastifyReply): string {
    return sendHtml(
      reply,
      fragmentResponse(this.fragments.footer(), CachePolicy.static, [SHARED_FRAGMENT_TAGS.footer]),
    );
  }

  @Get('stock/:id')
  async stock(
    @Param('id') rawId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    let id: number;
    try {
      id = parseProductIdParam(rawId);
    } catch (error) {
      if (!(error instanceof BadPageRequest)) throw error;
      // Inside a page this is a hole, not a second HTML document.
      return sendHtml(reply, {
        status: 400,
        headers: cacheHeaders(CachePolicy.uncacheable),
        html: '<!-- not a product id -->',
      });
    }
    const fragment = await this.fragments.stockBadge(id);
    return sendHtml(reply, fragmentResponse(fragment, CachePolicy.stock, [stockTag(id)]));
  }
}
