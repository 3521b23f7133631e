// The storefront's pure page building, no I/O and no Nest: what each page needs from the APIs and
// what it shows (page-models), and how its ESI fragments are composed (composition). The app
// (apps/storefront) fetches, renders and answers; these are the parts it calls.
export { BadPageRequest, PageNotFound } from './page-models/page-errors';
export {
  isCategorySlug,
  parseCategoryQuery,
  parseProductIdParam,
  parseSearchQuery,
  type RawQuery,
} from './page-models/page-params';
export { formatPrice } from './page-models/format';
export { categoryNames } from './page-models/category-tree';
export type { CatalogProductQuery } from './page-models/listing-model';
export { CART_COOKIE, isAnonymous, visitorFromCookies, type Visitor } from './page-models/visitor';
export {
  type AddToCart,
  cartItemCount,
  cartPage,
  type CheckoutField,
  checkoutFieldOf,
  type CheckoutInput,
  checkoutPage,
  EMPTY_CHECKOUT_FORM,
  isCheckoutKey,
  isShoppable,
  type NotifyRequest,
  notifyRequestOf,
  notifyResultPage,
  orderPage,
  parseAddToCartForm,
  parseCheckoutForm,
  parseQuantityForm,
  quantityAfterAdding,
  type RawForm,
  type ShopCart,
  type ShopPageModel,
} from './page-models/shop';
export {
  type CatalogProduct,
  categoryPage,
  categoryProductsQuery,
  FEATURED_QUERY,
  homePage,
  type PageLifetime,
  type PageModel,
  productNotFound,
  productPage,
  searchPage,
  searchProductsQuery,
  searchPromptPage,
} from './page-models/pages';
export {
  notifyResultText,
  type StockBadge,
  stockBadgeFor,
  type StockState,
} from './live/live-badge';
export {
  type CompositionMode,
  AUDIENCE_HEADER,
  compositionModeFor,
  isAnonymousAudience,
  SURROGATE_CAPABILITY_HEADER,
} from './composition/composition-mode';
export {
  FragmentComposer,
  type FragmentComposerOptions,
  type PageAudience,
  type FragmentSource,
  SHARED_FRAGMENT_TAGS,
} from './composition/fragment-composer';
export {
  FOOTER_FRAGMENT,
  type FragmentRef,
  HEADER_FRAGMENT,
  MENU_FRAGMENT,
  stockFragment,
} from './composition/fragment-ref';
