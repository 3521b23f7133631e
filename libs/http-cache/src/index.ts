// HTTP caching: the Cache-Control/Surrogate-Control/xkey headers the apps answer with, the cache
// tags, and purging Varnish by tag. What other rooms use is exported here.
export {
  categoryTag,
  ANONYMOUS_HEADER_TAG,
  FOOTER_TAG,
  LISTING_TAG,
  listingTags,
  MENU_TAG,
  productTag,
  stockLabelTag,
  stockTag,
} from './cache-tags';
export { cacheHeaders, type CacheOptions, CachePolicy } from './cache-headers';
export type { PurgePlan } from './purge-plan';
export {
  type PurgeResult,
  VARNISH_PURGER_OPTIONS,
  VarnishPurgeError,
  VarnishPurger,
  type VarnishPurgerOptions,
} from './varnish-purger';
export { PURGE_SETTLE_MS, SettlingPurger, type SettlingPurgerOptions } from './settling-purger';
export { HttpCacheModule } from './http-cache.module';
