// The peer every HTTP benchmark is printed next to: a bare Fastify route on this machine, with no
// framework and no work (`/bare`). Run as its own process so it competes for the
// same cores the way the apps do. `/bare/redis` is the floor of a live read: the same route
// answering product 1's ledger hash, read with one HGETALL and no check through the client
// stock-api's ledger uses, which a stock GET that reads Redis per request can at best equal.
// Usage: tsx bench/bare-route.ts <port>
//   (REDIS_URL and STOCK_SHARDS as the stack's)
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { parseShopConfig } from '@shop/config';
import { createRedisClient } from '@shop/redis';
import { StockKeys } from '@shop/stock';

const { positionals } = parseArgs({ allowPositionals: true });
const port = Number(positionals[0] ?? 3999);
const config = parseShopConfig(process.env);
// Auto-pipelining as stock-api's ledger client: concurrent reads share one write to Redis.
const redis = createRedisClient(config.REDIS_URL, { enableAutoPipelining: true });
const level = new StockKeys(undefined, config.STOCK_SHARDS).level(1);
const app = Fastify({ logger: false });
app.get('/bare', () => ({ id: 1, stock: 10, version: 1 }));
app.put('/bare', () => ({ id: 1, stock: 10, version: 1 }));
app.get('/bare/redis', () => redis.hgetall(level));
app.listen({ port, host: '127.0.0.1' }).then(
  () => process.send?.('ready'),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
