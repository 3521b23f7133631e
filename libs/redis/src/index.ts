// General Redis helpers, tied to no domain (the stock ledger's own scripts live in libs/stock).
export { RedisLease } from './redis-lease';
