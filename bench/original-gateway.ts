// The peer a stock change is measured against: the system's original Node gateway, as the demo
// this project replaces ran it. Express, one Redis counter per product, and every change
// published as `{ id, stock }` on ONE shared AMQP channel to a non-durable direct exchange with no
// queue bound: no confirms, no outbox, no version, no oversell check, nothing reaches MySQL. It is
// what a shop would otherwise run; beating its rate while doing the durable work is the aim.
// Its keys and exchange are its own, so it never touches the stack's data.
// Usage: tsx bench/original-gateway.ts <port>   (REDIS_URL and AMQP_URL as the stack's)
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import express from 'express';
import { createRedisClient } from '@shop/redis';
import { parseShopConfig } from '@shop/config';
import { ORIGINAL_GATEWAY_KEY_PREFIX } from './stack-processes';

const EXCHANGE = 'bench.original-gateway.stock';

async function main(): Promise<void> {
  const { positionals } = parseArgs({ allowPositionals: true });
  const port = Number(positionals[0] ?? 3997);
  const config = parseShopConfig(process.env);
  const redis = createRedisClient(config.REDIS_URL);
  const connection = await amqp.connect(config.AMQP_URL[0]);
  const channel = await connection.createChannel();
  await channel.assertExchange(EXCHANGE, 'direct', {
    durable: false,
    autoDelete: true,
  });

  const app = express();
  app.use(express.json());
  app.put('/products/:id/stock', async (request, response) => {
    const id = Number(request.params.id);
    const { stock: amount, action } = request.body as { stock: number; action: string };
    const key = `${ORIGINAL_GATEWAY_KEY_PREFIX}${id}`;
    let stock = amount;
    if (action === 'set') await redis.set(key, amount);
    else
      stock = await (action === 'decrement'
        ? redis.decrby(key, amount)
        : redis.incrby(key, amount));
    channel.publish(EXCHANGE, 'info', Buffer.from(JSON.stringify({ id, stock })));
    response.json({ id, stock });
  });
  app.listen(port, '127.0.0.1', () => process.send?.('ready'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
