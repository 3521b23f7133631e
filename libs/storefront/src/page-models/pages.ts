import { CategoryNode, Product, ProductSearchResult } from '@shop/contracts';
import { categoryTag, LISTING_TAG, productTag } from '@shop/http-cache';
import { CategoryLink, categoryHref, categoryLinks, findCategoryTrail } from './category-tree';
import {
  CatalogProductQuery,
  catalogQueryFor,
  categoryFacetLinks,
  FacetLink,
  Pagination,
  paginationModel,
  priceFacetLinks,
  ProductTile,
  productTiles,
  sortLinks,
  wasPrice,
} from './listing-model';
import { BadPageRequest, PageNotFound } from './page-errors';
import { ListingQuery } from './page-params';

/**
 * How long Varnish keeps a page: `product` pages change only when the product does (a purge of
 * `product-<id>` refreshes them), `listing` pages aggregate many products under listing-level tags
 * only, so they live shorter instead of carrying one tag per product.
 */
export type PageLifetime = 'product' | 'listing';

/** Everything the page service needs to answer with one page, built without any I/O. */
export interface PageModel<View> {
  template: string;
  title: string;
  lifetime: PageLifetime;
  cacheTags: string[];
  /** Products whose stock badge fragment the page shows, in page order. */
  stockBadges: number[];
  /** Fills the search box of the layout. */
  searchText?: string;
  view: View;
}

export const FEATURED_PRODUCT_COUNT = 8;

/** The home page's featured products: the newest ones. */
export const FEATURED_QUERY: CatalogProductQuery = {
  sort: 'newest',
  page: 1,
  size: FEATURED_PRODUCT_COUNT,
};

export interface HomeView {
  tiles: ProductTile[];
}

export function homePage(featured: ProductSearchResult): PageModel<HomeView> {
  const tiles = productTiles(featured.items);
  return {
    template: 'pages/home.njk',
    title: 'Welcome',
    lifetime: 'listing',
    cacheTags: [LISTING_TAG],
    stockBadges: tiles.map((tile) => tile.id),
    view: { tiles },
  };
}

export interface FacetGroup {
  title: string;
  links: FacetLink[];
}

export interface ListingView {
  heading: string;
  breadcrumbs: CategoryLink[];
  total: number;
  tiles: ProductTile[];
  pagination: Pagination;
  facets: FacetGroup[];
  sort: FacetLink[];
  /** A page number past the last page: the view offers a way back instead of an empty grid. */
  pastTheEnd: boolean;
  firstPageHref: string;
}

function listingView(
  path: string,
  query: ListingQuery,
  result: ProductSearchResult,
  parts: Pick<ListingView, 'heading' | 'breadcrumbs' | 'facets'>,
): ListingView {
  const pagination = paginationModel(path, query, result.total);
  return {
    ...parts,
    total: result.total,
    tiles: productTiles(result.items),
    pagination,
    sort: sortLinks(path, query),
    pastTheEnd: result.items.length === 0 && result.total > 0,
    firstPageHref: pagination.links.find((link) => link?.number === 1)?.href ?? path,
  };
}

/** Every category below `node` (not `node` itself), at any depth. */
function descendantsOf(node: CategoryNode): Set<string> {
  const found = new Set<string>();
  const visit = (nodes: readonly CategoryNode[]): void => {
    for (const child of nodes) {
      found.add(child.slug);
      visit(child.children);
    }
  };
  visit(node.children);
  return found;
}

function categoryTrail(tree: readonly CategoryNode[], slug: string): CategoryNode[] {
  const trail = findCategoryTrail(tree, slug);
  if (!trail) throw new PageNotFound(`There is no category "${slug}"`, [categoryTag(slug)]);
  return trail;
}

/**
 * `/c/:slug` asks for the category, or for the subcategories ticked on it (they lie inside it,
 * so they narrow it: the category facet is OR, and ticking one must not widen the page).
 * @throws PageNotFound for a slug the tree does not know, BadPageRequest for a ticked category
 * outside it
 */
export function categoryProductsQuery(
  slug: string,
  tree: readonly CategoryNode[],
  query: ListingQuery,
): CatalogProductQuery {
  const trail = categoryTrail(tree, slug);
  const inside = descendantsOf(trail[trail.length - 1]);
  const outside = query.categories.filter((ticked) => !inside.has(ticked));
  if (outside.length > 0) {
    throw new BadPageRequest(`"${outside[0]}" is not a subcategory of "${slug}"`);
  }
  return catalogQueryFor(query, {
    categories: query.categories.length > 0 ? query.categories : [slug],
  });
}

/** `/c/:slug`: a 404 when the menu tree does not know the slug. */
export function categoryPage(
  slug: string,
  tree: readonly CategoryNode[],
  query: ListingQuery,
  result: ProductSearchResult,
): PageModel<ListingView> {
  const trail = categoryTrail(tree, slug);
  const category = trail[trail.length - 1];
  const path = categoryHref(slug);
  const facets: FacetGroup[] = [
    {
      title: 'Category',
      links: categoryFacetLinks(
        path,
        query,
        result.aggregations.categories,
        descendantsOf(category),
      ),
    },
    { title: 'Price', links: priceFacetLinks(path, query, result.aggregations.priceRanges) },
  ].filter((group) => group.links.length > 0);
  const view = listingView(path, query, result, {
    heading: category.name,
    breadcrumbs: trail.map((node) => ({
      slug: node.slug,
      name: node.name,
      href: categoryHref(node.slug),
    })),
    facets,
  });
  return {
    template: 'pages/listing.njk',
    title: query.page > 1 ? `${category.name} – page ${query.page}` : category.name,
    lifetime: 'listing',
    cacheTags: [LISTING_TAG, categoryTag(slug)],
    stockBadges: view.tiles.map((tile) => tile.id),
    view,
  };
}

export const SEARCH_PATH = '/search';

/** Whether `/search` has anything to look for; without text it is a friendly prompt. */
export function searchProductsQuery(query: ListingQuery): CatalogProductQuery | null {
  return query.q ? catalogQueryFor(query) : null;
}

export interface SearchPromptView {
  suggestion: string;
}

export function searchPromptPage(): PageModel<SearchPromptView> {
  return {
    template: 'pages/search-prompt.njk',
    title: 'Search',
    lifetime: 'listing',
    cacheTags: [LISTING_TAG],
    stockBadges: [],
    view: { suggestion: 'Type a product name, a brand or a colour into the search box above.' },
  };
}

/** `/search`: category facet labels come with the catalog's answer, no tree needed. */
export function searchPage(
  query: ListingQuery,
  result: ProductSearchResult,
): PageModel<ListingView> {
  const q = query.q ?? '';
  const facets: FacetGroup[] = [
    {
      title: 'Category',
      links: categoryFacetLinks(SEARCH_PATH, query, result.aggregations.categories),
    },
    { title: 'Price', links: priceFacetLinks(SEARCH_PATH, query, result.aggregations.priceRanges) },
  ].filter((group) => group.links.length > 0);
  const view = listingView(SEARCH_PATH, query, result, {
    heading: `Results for “${q}”`,
    breadcrumbs: [],
    facets,
  });
  return {
    template: 'pages/listing.njk',
    title: `Search: ${q}`,
    lifetime: 'listing',
    cacheTags: [LISTING_TAG],
    stockBadges: view.tiles.map((tile) => tile.id),
    searchText: q,
    view,
  };
}

export interface ProductView {
  product: Product;
  /** The regular price while a sale runs (struck through next to the price), else null. */
  wasPrice: number | null;
  /** When the running sale ends, for the page to say so; null without one. */
  saleEndsAt: string | null;
  categories: CategoryLink[];
}

/** The catalog API's product: `price` is the effective price, the rest for display. */
export type CatalogProduct = Product & {
  regularPrice?: number;
  salePrice?: number | null;
  saleEndsAt?: string | null;
};

/**
 * `/p/:id`. Category names come from the menu tree when it could be fetched; a renamed category
 * shows its new name once the page's hour is up (product pages carry only their own tag).
 */
export function productPage(
  product: CatalogProduct,
  names: ReadonlyMap<string, string>,
): PageModel<ProductView> {
  const was = wasPrice(product.price, product.regularPrice);
  return {
    template: 'pages/product.njk',
    title: product.name,
    lifetime: 'product',
    cacheTags: [productTag(product.id)],
    stockBadges: [product.id],
    view: {
      product,
      wasPrice: was,
      saleEndsAt: was === null ? null : (product.saleEndsAt ?? null),
      categories: categoryLinks(product.categories, names),
    },
  };
}

export function productNotFound(id: number): PageNotFound {
  return new PageNotFound(`There is no product ${id}`, [productTag(id)]);
}
