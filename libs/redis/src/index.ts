// General Redis helpers, tied to no domain (the stock ledger's own scripts live in libs/stock).
export {
  createRedisClient,
  duplicateClient,
  keyServers,
  scanKeys,
  type RedisClient,
  type RedisClientOptions,
} from './redis-client';
export { RedisLease } from './redis-lease';
export { ReplicaWait, ReplicaWaitError } from './replica-wait';
export { crc16, hashedPartOf, redisSlot, REDIS_CLUSTER_SLOTS, SHOP_HASH_TAG } from './redis-slot';
