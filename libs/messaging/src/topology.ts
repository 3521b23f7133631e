import type { Channel } from 'amqplib';
import {
  CATALOG_EXCHANGE,
  DEAD_LETTER_EXCHANGE,
  ORDERS_EXCHANGE,
  PRICE_EXCHANGE,
  RETRY_EXCHANGE,
  STOCK_EXCHANGE,
} from '@shop/contracts';
import { MessagingError } from './errors';

/*
 * Queue layout for a consuming queue Q (all durable, all quorum):
 *
 *   <exchange> --binding--> Q --(consumer: transient failure, republished with confirm)-->
 *     shop.retry --"Q.retry.<d>ms"--> Q.retry.<d>ms --(TTL d, dead-lettered)--> "" --"Q"--> Q
 *   Q --(consumer: poison or attempts exhausted, republished with confirm)-->
 *     shop.dead-letter --"Q"--> Q.dead
 *   Q --(broker: x-delivery-limit exceeded, i.e. a crash loop)--> shop.dead-letter --"Q"--> Q.dead
 *
 * Queue arguments cannot change once a queue exists (a redeclare with other arguments fails with
 * PRECONDITION_FAILED and closes the channel), so they are constants here and never derived from
 * configuration. Tunables that must change at run time belong in a RabbitMQ policy instead.
 */

export type ExchangeType = 'direct' | 'topic' | 'fanout';

export interface ExchangeDeclaration {
  readonly name: string;
  readonly type: ExchangeType;
}

/** The exchanges the layer declares; tests use `prefixedTopology` to stay off the real ones. */
export interface MessagingTopology {
  /** Domain exchanges producers publish to. */
  readonly exchanges: readonly ExchangeDeclaration[];
  /** Direct exchange routing to the per-queue retry queues. */
  readonly retryExchange: string;
  /** Direct exchange routing to the per-queue `.dead` queues. */
  readonly deadLetterExchange: string;
}

export const SHOP_TOPOLOGY: MessagingTopology = {
  exchanges: [
    { name: STOCK_EXCHANGE, type: 'direct' },
    { name: CATALOG_EXCHANGE, type: 'topic' },
    { name: ORDERS_EXCHANGE, type: 'topic' },
    { name: PRICE_EXCHANGE, type: 'direct' },
  ],
  retryExchange: RETRY_EXCHANGE,
  deadLetterExchange: DEAD_LETTER_EXCHANGE,
};

/** The shop topology with every exchange name prefixed: `<prefix>.stock`, `<prefix>.shop.retry`… */
export function prefixedTopology(prefix: string): MessagingTopology {
  return {
    exchanges: SHOP_TOPOLOGY.exchanges.map((e) => ({ ...e, name: `${prefix}.${e.name}` })),
    retryExchange: `${prefix}.${SHOP_TOPOLOGY.retryExchange}`,
    deadLetterExchange: `${prefix}.${SHOP_TOPOLOGY.deadLetterExchange}`,
  };
}

export interface QueueBinding {
  readonly exchange: string;
  readonly routingKey: string;
}

export interface ConsumerQueueSpec {
  /** Main queue name, e.g. a `SyncQueue` value. */
  readonly queue: string;
  readonly bindings: readonly QueueBinding[];
  /** One retry queue per distinct delay. Default `DEFAULT_RETRY_DELAYS_MS`. */
  readonly retryDelaysMs?: readonly number[];
}

/** Backoff before the 2nd, 3rd and later attempts (the last delay repeats). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 5_000, 30_000];

/**
 * Broker-side safety net only: a message redelivered this many times without ever being settled
 * (the consumer process keeps dying on it) is dead-lettered by RabbitMQ itself. Normal retries
 * are republished copies with their own `x-attempts` and never come near it.
 */
export const QUORUM_DELIVERY_LIMIT = 20;

export type QueueArguments = Readonly<Record<string, string | number>>;

export function retryQueueName(queue: string, delayMs: number): string {
  return `${queue}.retry.${delayMs}ms`;
}

export function deadLetterQueueName(queue: string): string {
  return `${queue}.dead`;
}

/** Validated delays, duplicates dropped, order kept: the retry queues a main queue has. */
export function normalizeRetryDelays(
  delays: readonly number[] = DEFAULT_RETRY_DELAYS_MS,
): number[] {
  if (delays.length === 0) {
    throw new MessagingError('retryDelaysMs must list at least one delay');
  }
  for (const delay of delays) {
    if (!Number.isInteger(delay) || delay < 1) {
      throw new MessagingError(`retry delay must be a positive integer of ms, got ${delay}`);
    }
  }
  return [...new Set(delays)];
}

/**
 * At-least-once dead-lettering (RabbitMQ ≥ 3.10, quorum only) keeps a message in its source queue
 * until the target queue has it; RabbitMQ requires `reject-publish` overflow with it.
 */
const AT_LEAST_ONCE_DEAD_LETTERING = {
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
} as const;

export function mainQueueArguments(queue: string, topology: MessagingTopology): QueueArguments {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': QUORUM_DELIVERY_LIMIT,
    'x-dead-letter-exchange': topology.deadLetterExchange,
    'x-dead-letter-routing-key': queue,
    ...AT_LEAST_ONCE_DEAD_LETTERING,
  };
}

export function retryQueueArguments(queue: string, delayMs: number): QueueArguments {
  return {
    'x-queue-type': 'quorum',
    'x-message-ttl': delayMs,
    // The default exchange: straight back into the main queue, not to every queue bound to the
    // original exchange.
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': queue,
    ...AT_LEAST_ONCE_DEAD_LETTERING,
  };
}

export function deadLetterQueueArguments(): QueueArguments {
  // No delivery limit and no TTL: dead letters wait for a human, and peeking (get + requeue)
  // must never push them anywhere.
  return { 'x-queue-type': 'quorum' };
}

export async function declareExchanges(
  channel: Channel,
  topology: MessagingTopology,
): Promise<void> {
  for (const exchange of topology.exchanges) {
    await channel.assertExchange(exchange.name, exchange.type, { durable: true });
  }
  await channel.assertExchange(topology.retryExchange, 'direct', { durable: true });
  await channel.assertExchange(topology.deadLetterExchange, 'direct', { durable: true });
}

async function assertQueue(channel: Channel, name: string, args: QueueArguments): Promise<void> {
  try {
    await channel.assertQueue(name, { durable: true, arguments: args });
  } catch (error) {
    throw new MessagingError(
      `cannot declare queue "${name}" with ${JSON.stringify(args)}: if it already exists with ` +
        'other arguments, drain and delete it (or move the setting to a policy)',
      { cause: error },
    );
  }
}

/** Declares a consuming queue with its retry queues, its dead-letter queue and its bindings. */
export async function declareConsumerQueue(
  channel: Channel,
  spec: ConsumerQueueSpec,
  topology: MessagingTopology,
): Promise<void> {
  const { queue } = spec;
  const dead = deadLetterQueueName(queue);
  await assertQueue(channel, dead, deadLetterQueueArguments());
  await channel.bindQueue(dead, topology.deadLetterExchange, queue);
  for (const delay of normalizeRetryDelays(spec.retryDelaysMs)) {
    const retry = retryQueueName(queue, delay);
    await assertQueue(channel, retry, retryQueueArguments(queue, delay));
    await channel.bindQueue(retry, topology.retryExchange, retry);
  }
  await assertQueue(channel, queue, mainQueueArguments(queue, topology));
  for (const binding of spec.bindings) {
    await channel.bindQueue(queue, binding.exchange, binding.routingKey);
  }
}

/** Idempotent: exchanges first (bindings need them), then each consuming queue. */
export async function declareTopology(
  channel: Channel,
  topology: MessagingTopology = SHOP_TOPOLOGY,
  queues: readonly ConsumerQueueSpec[] = [],
): Promise<void> {
  await declareExchanges(channel, topology);
  for (const spec of queues) {
    await declareConsumerQueue(channel, spec, topology);
  }
}

/** Every queue `declareConsumerQueue` creates for `spec`, e.g. to delete them in a test. */
export function consumerQueueNames(
  spec: Pick<ConsumerQueueSpec, 'queue' | 'retryDelaysMs'>,
): string[] {
  return [
    spec.queue,
    deadLetterQueueName(spec.queue),
    ...normalizeRetryDelays(spec.retryDelaysMs).map((d) => retryQueueName(spec.queue, d)),
  ];
}
