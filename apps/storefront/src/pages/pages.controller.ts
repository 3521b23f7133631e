import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  AUDIENCE_HEADER,
  compositionModeFor,
  isAnonymousAudience,
  FragmentComposer,
  RawQuery,
  SURROGATE_CAPABILITY_HEADER,
  visitorFromCookies,
} from '@shop/storefront';
import { StorefrontFragments } from '../fragments/storefront-fragments';
import { sendHtml } from '../rendering/html-response';
import { StorefrontPages } from './storefront-pages';

@Controller()
export class PagesController {
  constructor(
    private readonly pages: StorefrontPages,
    private readonly fragments: StorefrontFragments,
  ) {}

  /**
   * Through Varnish: the fragments the copy's audience shares inline, a shopper's header an
   * include. Directly: this visitor's fragments inline.
   */
  private composerFor(request: FastifyRequest): FragmentComposer {
    const mode = compositionModeFor(request.headers[SURROGATE_CAPABILITY_HEADER]);
    const anonymous = isAnonymousAudience(request.headers[AUDIENCE_HEADER]);
    // A page stored for everyone never shows one visitor's header, whatever reached us.
    const visitor = visitorFromCookies(anonymous ? undefined : request.headers.cookie);
    return this.fragments.composerFor(mode, visitor, {
      audience: anonymous ? 'anonymous' : 'shopper',
    });
  }

  @Get()
  async home(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendHtml(reply, await this.pages.home(this.composerFor(request)));
  }

  @Get('c/:slug')
  async category(
    @Param('slug') slug: string,
    @Query() query: RawQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendHtml(reply, await this.pages.category(this.composerFor(request), slug, query));
  }

  @Get('p/:id')
  async product(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendHtml(reply, await this.pages.product(this.composerFor(request), id));
  }

  @Get('search')
  async search(
    @Query() query: RawQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendHtml(reply, await this.pages.search(this.composerFor(request), query));
  }

  /**
   * Every other path: an HTML 404 page, not Nest's JSON one, since a browser is asking. The router
   * tries static and parametric routes first, so this only catches what nothing else serves.
   */
  @Get('*')
  async notFound(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendHtml(reply, await this.pages.notFound(this.composerFor(request)));
  }
}
