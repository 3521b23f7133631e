// The floor bench:stock prints next to its CPU per stock change: what RabbitMQ and one bare
// client spend to carry one durable event, with nothing else of the stack. Each event is a stock
// event's body, published persistent on a confirm channel in batches of 100 (as the outbox relay
// publishes) to a durable direct exchange, routed to one quorum queue, and consumed with manual
// acks, one multiple-ack per burst of deliveries (as the sync worker acks a batch). No
// amqp-connection-manager, no dead-letter routing, no live gateways' queues, no Redis, no MySQL.
// Its exchange and queue are its own and deleted afterwards.
//
// Driven by its parent over IPC: it declares its topology and sends 'ready'; on 'go' it publishes
// for the given seconds, waits until every event was consumed and acked, and sends the counts; on
// 'stop' it deletes its topology and exits. The parent counts CPU between 'go' and the counts.
// Usage (forked by bench/stock.ts): tsx bench/bare-broker.ts <seconds>   (AMQP_URL as the stack's)
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import amqp, { type ConsumeMessage } from 'amqplib';
import { parseShopConfig } from '@shop/config';
import type { StockChangedEvent } from '@shop/contracts';

const EXCHANGE = 'bench.bare-broker.stock';
const QUEUE = 'bench.bare-broker.stock';
const PUBLISH_BATCH = 100;
const PREFETCH = 1000;

/** What the parent is sent once every event was acked. */
export interface BareBrokerCounts {
  events: number;
  seconds: number;
}

function eventBody(id: number, version: number): Buffer {
  const event: StockChangedEvent = {
    id,
    stock: 100 + version,
    delta: 1,
    version,
    reason: 'increment',
    occurredAt: new Date().toISOString(),
    onHand: 100 + version,
    held: 0,
  };
  return Buffer.from(JSON.stringify(event));
}

function nextMessage(): Promise<unknown> {
  return new Promise((resolve) => process.once('message', resolve));
}

async function main(): Promise<void> {
  const { positionals } = parseArgs({ allowPositionals: true });
  const seconds = Number(positionals[0] ?? 10);
  const config = parseShopConfig(process.env);
  const connection = await amqp.connect(config.AMQP_URL[0]);
  const publisher = await connection.createConfirmChannel();
  const consumer = await connection.createChannel();
  await publisher.assertExchange(EXCHANGE, 'direct', { durable: true });
  await publisher.assertQueue(QUEUE, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await publisher.bindQueue(QUEUE, EXCHANGE, 'info');
  // Left over if an earlier run was killed before it deleted its queue.
  await publisher.purgeQueue(QUEUE);
  await consumer.prefetch(PREFETCH);

  let consumed = 0;
  let published = 0;
  let publishing = true;
  let allAcked: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => (allAcked = resolve));
  let unacked: ConsumeMessage | null = null;
  await consumer.consume(QUEUE, (message) => {
    if (!message) return;
    consumed += 1;
    if (unacked === null) {
      // The deliveries that arrive in one burst are acked together, after it.
      setImmediate(() => {
        if (unacked) consumer.ack(unacked, true);
        unacked = null;
        if (!publishing && consumed >= published) allAcked();
      });
    }
    unacked = message;
  });

  process.send?.('ready');
  await nextMessage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    for (let index = 0; index < PUBLISH_BATCH; index += 1) {
      published += 1;
      publisher.publish(EXCHANGE, 'info', eventBody((published % 1000) + 1, published), {
        persistent: true,
        contentType: 'application/json',
        messageId: `bare-broker-${published}`,
        type: 'stock.changed',
        timestamp: Math.floor(Date.now() / 1000),
      });
    }
    await publisher.waitForConfirms();
  }
  publishing = false;
  if (consumed < published) await drained;
  const counts: BareBrokerCounts = {
    events: published,
    seconds: (performance.now() - started) / 1000,
  };
  process.send?.(counts);

  await nextMessage();
  await publisher.deleteQueue(QUEUE);
  await publisher.deleteExchange(EXCHANGE);
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
