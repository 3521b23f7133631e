import { Inject, Injectable, Logger } from '@nestjs/common';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import {
  cartItemCount,
  CompositionMode,
  FragmentComposer,
  type FragmentComposerOptions,
  FragmentRef,
  FragmentSource,
  stockBadgeFor,
  Visitor,
} from '@shop/storefront';
import { ViewRenderer } from '../rendering/view-renderer';
import { CartClient, CatalogClient, StockClient, UpstreamNotFoundError } from '../upstream';

/**
 * The header waits this long for the cart count: it is part of every page, and a page is only as
 * fast as its slowest fragment. Past it the header shows "Cart" without a number.
 */
export const HEADER_CART_TIMEOUT_MS = 300;

export interface RenderedFragment {
  html: string;
  /** False when a dependency failed and a placeholder stands in: such HTML is never cached. */
  complete: boolean;
  /** True when what the fragment shows does not exist (a stock badge of an unknown product). */
  missing?: boolean;
}

/**
 * Renders the four ESI fragments. The /fragments routes answer with this HTML, and a page served
 * without Varnish embeds the very same HTML inline.
 */
@Injectable()
export class StorefrontFragments {
  private readonly logger = new Logger(StorefrontFragments.name);
  private readonly lowStockBelow: number;

  constructor(
    private readonly catalog: CatalogClient,
    private readonly stock: StockClient,
    private readonly carts: CartClient,
    private readonly views: ViewRenderer,
    @Inject(SHOP_CONFIG) config: ShopConfig,
  ) {
    this.lowStockBelow = config.STOREFRONT_LOW_STOCK_BELOW;
  }

  async menu(): Promise<RenderedFragment> {
    try {
      const tree = await this.catalog.categories();
      return { html: this.views.render('fragments/menu.njk', { tree }), complete: true };
    } catch (error) {
      this.logger.warn(`menu without categories: ${String(error)}`);
      return { html: this.views.render('fragments/menu.njk', { tree: [] }), complete: false };
    }
  }

  /** The visitor's greeting and the number of units in their cart, read from the cart API. */
  async header(visitor: Visitor): Promise<RenderedFragment> {
    let cartCount: number | null = 0;
    if (visitor.cartId) {
      try {
        cartCount = cartItemCount(await this.carts.get(visitor.cartId, HEADER_CART_TIMEOUT_MS));
      } catch (error) {
        // A cart the API no longer has is no cart; anything else leaves the count out.
        if (!(error instanceof UpstreamNotFoundError)) {
          this.logger.warn(`header without the cart count: ${String(error)}`);
          cartCount = null;
        }
      }
    }
    return {
      html: this.views.render('fragments/header.njk', {
        visitor,
        cartLabel: cartCount === null ? 'Cart' : `Cart (${cartCount})`,
      }),
      complete: cartCount !== null,
    };
  }

  footer(): RenderedFragment {
    return {
      html: this.views.render('fragments/footer.njk', { year: new Date().getUTCFullYear() }),
      complete: true,
    };
  }

  /**
   * The badge carries its product and the version it shows, so that the live script subscribes
   * to the product and takes only newer figures.
   */
  async stockBadge(productId: number): Promise<RenderedFragment> {
    const render = (stock: number | null | undefined, version: number | null): string =>
      this.views.render('fragments/stock-badge.njk', {
        productId,
        version,
        badge: stockBadgeFor(stock, this.lowStockBelow),
      });
    try {
      const level = await this.stock.level(productId);
      return {
        html: render(level?.stock ?? null, level?.version ?? null),
        complete: true,
        missing: level === null,
      };
    } catch (error) {
      this.logger.warn(`stock badge of product ${productId} unknown: ${String(error)}`);
      return { html: render(undefined, null), complete: false };
    }
  }

  render(ref: FragmentRef, visitor: Visitor): Promise<RenderedFragment> {
    switch (ref.kind) {
      case 'menu':
        return this.menu();
      case 'header':
        return this.header(visitor);
      case 'footer':
        return Promise.resolve(this.footer());
      case 'stock':
        return this.stockBadge(ref.productId);
    }
  }

  /**
   * The composer for one page request: include tags for Varnish (the fragments the stored copy's
   * audience shares inline), or this visitor's fragments.
   */
  composerFor(
    mode: CompositionMode,
    visitor: Visitor,
    options: FragmentComposerOptions = {},
  ): FragmentComposer {
    const source: FragmentSource = { render: (ref) => this.render(ref, visitor) };
    return new FragmentComposer(mode, source, options);
  }
}
