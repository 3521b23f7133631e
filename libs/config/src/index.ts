// The validated environment: parse it once, inject it as one typed object.
export { DEFAULT_REDIS_URL, parseShopConfig, type ShopConfig } from './shop-config';
export { InjectShopConfig, SHOP_CONFIG, ShopConfigModule } from './shop-config.module';
export { parseRedisUrl, type RedisTarget } from './redis-url';
