import { Injectable, Logger } from '@nestjs/common';
import { CategoryNode } from '@shop/contracts';
import { cacheHeaders, CacheOptions, CachePolicy } from '@shop/http-cache';
import {
  BadPageRequest,
  categoryNames,
  categoryPage,
  categoryProductsQuery,
  FEATURED_QUERY,
  FOOTER_FRAGMENT,
  FragmentComposer,
  HEADER_FRAGMENT,
  homePage,
  isCategorySlug,
  PageLifetime,
  PageModel,
  MENU_FRAGMENT,
  PageNotFound,
  parseCategoryQuery,
  parseProductIdParam,
  parseSearchQuery,
  productNotFound,
  productPage,
  RawQuery,
  searchPage,
  searchProductsQuery,
  searchPromptPage,
  stockFragment,
} from '@shop/storefront';
import { HtmlResponse } from '../rendering/html-response';
import { ViewRenderer } from '../rendering/view-renderer';
import {
  CatalogClient,
  UpstreamNotFoundError,
  UpstreamRejectedError,
  UpstreamUnavailableError,
} from '../upstream';

/**
 * Varnish lifetimes of page shells. Product pages change only with their product (a purge of
 * `product-<id>`) and, in the anonymous copy that carries the stock badge inline, with what the
 * badge says (`stock-label-<id>`). Listings show many products but carry only listing-level
 * tags (`listing`, `category-<slug>`), never one per product, which would outgrow Varnish's
 * header limits on big categories; so they live minutes, and their stock stays fresh through
 * per-tile `stock-<id>` fragments. Browsers get every shell as `private, no-cache`: the
 * assembled page embeds the visitor's header.
 */
const PAGE_POLICIES: Record<PageLifetime, CacheOptions> = {
  product: CachePolicy.product,
  listing: CachePolicy.listing,
};

/** Seconds a 503 page asks clients to wait before retrying. */
const RETRY_AFTER_SECONDS = 30;

interface ErrorPage {
  status: number;
  heading: string;
  message: string;
  policy: CacheOptions;
  tags: readonly string[];
}

/**
 * Builds each page: fetch what its model needs, build the model (pure, in page-models), compose
 * the fragments (include tags or inline HTML) and render. Every failure becomes an HTML page with
 * the right status; nothing here answers JSON or leaks a stack trace.
 */
@Injectable()
export class StorefrontPages {
  private readonly logger = new Logger(StorefrontPages.name);

  constructor(
    private readonly catalog: CatalogClient,
    private readonly views: ViewRenderer,
  ) {}

  home(composer: FragmentComposer): Promise<HtmlResponse> {
    return this.respond(composer, async () =>
      homePage(await this.catalog.searchProducts(FEATURED_QUERY)),
    );
  }

  category(composer: FragmentComposer, slug: string, rawQuery: RawQuery): Promise<HtmlResponse> {
    return this.respond(composer, async () => {
      if (!isCategorySlug(slug)) throw new PageNotFound(`There is no category "${slug}"`);
      const query = parseCategoryQuery(rawQuery);
      // The tree first: it says which ticked categories lie inside this one.
      const tree = await this.catalog.categories();
      const result = await this.catalog.searchProducts(categoryProductsQuery(slug, tree, query));
      return categoryPage(slug, tree, query, result);
    });
  }

  product(composer: FragmentComposer, rawId: string): Promise<HtmlResponse> {
    return this.respond(composer, async () => {
      const id = parseProductIdParam(rawId);
      const [product, tree] = await Promise.all([
        this.catalog.product(id).catch((error: unknown) => {
          throw error instanceof UpstreamNotFoundError ? productNotFound(id) : error;
        }),
        this.categoriesOrEmpty(),
      ]);
      return productPage(product, categoryNames(tree));
    });
  }

  /** Any path no route serves: the 404 page, kept briefly by Varnish (CachePolicy.notFound). */
  notFound(composer: FragmentComposer): Promise<HtmlResponse> {
    return this.respond(composer, () => Promise.reject(new PageNotFound('There is no such page')));
  }

  search(composer: FragmentComposer, rawQuery: RawQuery): Promise<HtmlResponse> {
    return this.respond(composer, async () => {
      const query = parseSearchQuery(rawQuery);
      const catalogQuery = searchProductsQuery(query);
      if (!catalogQuery) return searchPromptPage();
      return searchPage(query, await this.catalog.searchProducts(catalogQuery));
    });
  }

  /** Category names are a nicety on product pages: without them, slugs stand in. */
  private async categoriesOrEmpty(): Promise<CategoryNode[]> {
    try {
      return await this.catalog.categories();
    } catch (error) {
      this.logger.warn(`category names unavailable: ${String(error)}`);
      return [];
    }
  }

  private async respond(
    composer: FragmentComposer,
    build: () => Promise<PageModel<object>>,
  ): Promise<HtmlResponse> {
    let model: PageModel<object>;
    try {
      model = await build();
    } catch (error) {
      return this.errorPage(composer, error);
    }
    return this.render(composer, model.template, 200, {
      context: { title: model.title, searchText: model.searchText, view: model.view },
      stockBadges: model.stockBadges,
      productPage: model.lifetime === 'product',
      policy: PAGE_POLICIES[model.lifetime],
      tags: model.cacheTags,
    });
  }

  private async render(
    composer: FragmentComposer,
    template: string,
    status: number,
    page: {
      context: Record<string, unknown>;
      stockBadges: readonly number[];
      /** The page shows one product: an inline badge is tagged by it, not by `listing`. */
      productPage: boolean;
      policy: CacheOptions;
      tags: readonly string[];
    },
  ): Promise<HtmlResponse> {
    const [slots, stock] = await Promise.all([
      composer.composeAll({
        menu: MENU_FRAGMENT,
        header: HEADER_FRAGMENT,
        footer: FOOTER_FRAGMENT,
      }),
      composer.composeEach(page.stockBadges, stockFragment, { productPage: page.productPage }),
    ]);
    const html = this.views.render(template, { ...page.context, slots, stock });
    // Inline pages embed this visitor's header: nobody may store them. (It also keeps Varnish safe
    // should it ever forget to announce ESI: it would pass such pages, never cache them.) A page
    // for Varnish with shared fragments inside carries their tags too, and is not stored when one
    // of them is a placeholder.
    const headers = !composer.emitsEsi
      ? cacheHeaders(CachePolicy.private)
      : composer.complete
        ? cacheHeaders({ ...page.policy, tags: [...page.tags, ...composer.inlinedTags], esi: true })
        : cacheHeaders({ ...CachePolicy.uncacheable, esi: true });
    return { status, headers, html };
  }

  /** The HTML page of a failure (404, 400, 503 or 500), also used by the shopping pages. */
  async errorPage(composer: FragmentComposer, error: unknown): Promise<HtmlResponse> {
    const page = this.classify(error);
    const response = await this.render(composer, 'pages/error.njk', page.status, {
      context: { title: page.heading, view: { heading: page.heading, message: page.message } },
      stockBadges: [],
      productPage: false,
      policy: page.policy,
      tags: page.tags,
    });
    if (page.status === 503) response.headers['Retry-After'] = String(RETRY_AFTER_SECONDS);
    return response;
  }

  private classify(error: unknown): ErrorPage {
    if (error instanceof PageNotFound) {
      return {
        status: 404,
        heading: 'Page not found',
        message: `${error.message}. It may have moved, or the link may be mistyped.`,
        policy: CachePolicy.notFound,
        tags: error.cacheTags,
      };
    }
    if (error instanceof BadPageRequest || error instanceof UpstreamRejectedError) {
      return {
        status: 400,
        heading: 'That request does not look right',
        message: error.message,
        policy: CachePolicy.uncacheable,
        tags: [],
      };
    }
    if (error instanceof UpstreamUnavailableError) {
      this.logger.warn(error.message);
      return {
        status: 503,
        heading: 'We will be right back',
        message: 'Our catalog is taking a short break. Please try again in a moment.',
        policy: CachePolicy.uncacheable,
        tags: [],
      };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return {
      status: 500,
      heading: 'Something went wrong',
      message: 'Sorry, this page could not be shown. Please try again in a moment.',
      policy: CachePolicy.uncacheable,
      tags: [],
    };
  }
}
