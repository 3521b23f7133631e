import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cacheHeaders } from '@shop/http-cache';
import {
  compositionModeFor,
  type RawForm,
  SURROGATE_CAPABILITY_HEADER,
  visitorFromCookies,
} from '@shop/storefront';
import { StorefrontFragments } from '../fragments/storefront-fragments';
import { type HtmlResponse, sendHtml } from '../rendering/html-response';
import { type ShopRequest, StorefrontShop } from './storefront-shop';

/**
 * A form posted from another site. The cart cookie is SameSite=Lax, so such a post arrives
 * without it; refusing it also keeps another site from planting a fresh cart cookie.
 */
function isCrossSite(request: FastifyRequest): boolean {
  return request.headers['sec-fetch-site'] === 'cross-site';
}

const CROSS_SITE_REFUSED: HtmlResponse = {
  status: 403,
  headers: cacheHeaders({ private: true }),
  html: '<!doctype html><title>Forbidden</title><p>Forms of this shop are posted from the shop.</p>',
};

/**
 * The shopping pages: cart, checkout, order confirmation, and the forms that drive them (the
 * stock badge's back-in-stock form among them).
 */
@Controller()
export class ShopController {
  constructor(
    private readonly shop: StorefrontShop,
    private readonly fragments: StorefrontFragments,
  ) {}

  private shopRequest(request: FastifyRequest): ShopRequest {
    const visitor = visitorFromCookies(request.headers.cookie);
    const mode = compositionModeFor(request.headers[SURROGATE_CAPABILITY_HEADER]);
    return { visitor, composer: this.fragments.composerFor(mode, visitor) };
  }

  /** A form's post: refused when another site posted it, else what `answer` makes of it. */
  private async formPost(
    request: FastifyRequest,
    reply: FastifyReply,
    answer: (shopRequest: ShopRequest) => Promise<HtmlResponse>,
  ): Promise<string> {
    if (isCrossSite(request)) return sendHtml(reply, CROSS_SITE_REFUSED);
    return sendHtml(reply, await answer(this.shopRequest(request)));
  }

  @Post('cart/items')
  async addToCart(
    @Body() form: RawForm | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.formPost(request, reply, (shop) => this.shop.addToCart(shop, form ?? {}));
  }

  @Post('cart/items/:productId')
  async updateLine(
    @Param('productId') productId: string,
    @Body() form: RawForm | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.formPost(request, reply, (shop) =>
      this.shop.updateLine(shop, productId, form ?? {}),
    );
  }

  @Post('cart/items/:productId/remove')
  async removeLine(
    @Param('productId') productId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.formPost(request, reply, (shop) => this.shop.removeLine(shop, productId));
  }

  @Get('cart')
  async cart(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendHtml(reply, await this.shop.cart(this.shopRequest(request)));
  }

  @Get('checkout')
  async checkoutForm(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendHtml(reply, await this.shop.checkoutForm(this.shopRequest(request)));
  }

  @Post('checkout')
  async placeOrder(
    @Body() form: RawForm | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.formPost(request, reply, (shop) => this.shop.placeOrder(shop, form ?? {}));
  }

  /** Varnish sends browsers here (Accept prefers text/html); API clients go to stock-api. */
  @Get('orders/:id')
  async order(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendHtml(reply, await this.shop.order(this.shopRequest(request), id));
  }

  /**
   * The sold-out badge's notify form, posted without JavaScript: Varnish sends browsers here
   * (Accept prefers text/html); the badge script's fetch and API clients go to stock-api.
   */
  @Post('notifications/back-in-stock')
  async notifyBackInStock(
    @Body() form: RawForm | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.formPost(request, reply, (shop) => this.shop.notifyBackInStock(shop, form ?? {}));
  }
}
