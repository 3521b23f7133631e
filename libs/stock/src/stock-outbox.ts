import {
  MessageType,
  ORDERS_EXCHANGE,
  orderPlacedEventSchema,
  OrderRoutingKey,
  type OrderPlacedEvent,
  PRICE_EXCHANGE,
  type PriceChangedEvent,
  type PriceChangeReason,
  PriceRoutingKey,
  STOCK_ACTIONS,
  STOCK_EXCHANGE,
  StockChangedEvent,
  StockChangeReason,
  StockRoutingKey,
} from '@shop/contracts';

/** AMQP properties the relay sets on each message (the publisher sends `timestamp` in seconds). */
export interface StockPublishProperties {
  readonly messageId: string;
  readonly type: string;
  readonly timestamp?: Date;
  readonly headers?: Readonly<Record<string, string | number | boolean>>;
  /** The id of the request that made the change (AMQP `correlationId`). */
  readonly correlationId?: string;
}

/**
 * What the outbox carries: stock events, the `order.placed` of each checkout, and price changes
 * (libs/pricing appends them, so they share the relay's confirms, ordering and lease).
 */
export type OutboxMessageBody = StockChangedEvent | OrderPlacedEvent | PriceChangedEvent;

/** One message of a batch (a stock event unless said otherwise). */
export interface StockOutgoingMessage<Body extends OutboxMessageBody = StockChangedEvent> {
  readonly exchange: string;
  readonly routingKey: string;
  readonly body: Body;
  readonly options: StockPublishProperties;
}

/** The broker's verdict on one message of a batch. */
export interface StockPublishOutcome {
  readonly confirmed: boolean;
  readonly error?: Error;
}

/**
 * What the relay needs from a RabbitMQ publisher; libs/messaging's ConfirmingPublisher fits.
 * `publish` resolves only after the broker's confirm and rejects (quickly) when it cannot publish;
 * the body goes out as persistent JSON with `contentType`.
 *
 * With `publishBatch` (writes the messages in order on one channel, then waits for all confirms,
 * never rejects) the relay sends a whole batch with it. Without it, the relay calls `publish` for
 * every message of the batch in stream order without waiting in between, so `publish` must put
 * calls on the wire in call order.
 */
export interface StockEventPublisher<Body extends OutboxMessageBody = StockChangedEvent> {
  publish(
    exchange: string,
    routingKey: string,
    body: Body,
    properties: StockPublishProperties,
  ): Promise<void>;
  publishBatch?(
    messages: readonly StockOutgoingMessage<Body>[],
  ): Promise<readonly StockPublishOutcome[]>;
}

/** One entry of the outbox stream, parsed. */
export interface OutboxEntry {
  entryId: string;
  event: StockChangedEvent;
  /** The request id the change was made under (stream field `cid`), when there was one. */
  correlationId?: string;
}

export class MalformedOutboxEntryError extends Error {
  constructor(
    readonly entryId: string,
    reason: string,
  ) {
    super(`Outbox entry ${entryId} is malformed: ${reason}`);
    this.name = 'MalformedOutboxEntryError';
  }
}

const REASONS: readonly string[] = [...STOCK_ACTIONS, 'restore', 'hold', 'release', 'order'];

function isReason(value: string | undefined): value is StockChangeReason {
  return value !== undefined && REASONS.includes(value);
}

/** Builds the event from a stream entry's flat `[field, value, ...]` list (see stock-scripts.ts). */
export function parseOutboxEntry(entryId: string, fields: readonly string[]): OutboxEntry {
  const map = new Map<string, string>();
  for (let index = 0; index + 1 < fields.length; index += 2) {
    map.set(fields[index], fields[index + 1]);
  }
  const integer = (name: string): number => {
    const raw = map.get(name);
    const value = raw === undefined || raw === '' ? NaN : Number(raw);
    if (!Number.isSafeInteger(value)) {
      throw new MalformedOutboxEntryError(entryId, `${name}=${String(raw)}`);
    }
    return value;
  };
  const reason = map.get('reason');
  if (!isReason(reason)) {
    throw new MalformedOutboxEntryError(entryId, `reason=${String(reason)}`);
  }
  // Entries written before the field existed, or by a change without a request, have none.
  const correlationId = map.get('cid');
  return {
    entryId,
    ...(correlationId ? { correlationId } : {}),
    event: {
      id: integer('id'),
      stock: integer('stock'),
      delta: integer('delta'),
      version: integer('version'),
      reason,
      occurredAt: new Date(integer('at')).toISOString(),
      // Entries from before holds have neither: on hand was the stock then, none held.
      ...(map.has('onHand') ? { onHand: integer('onHand'), held: integer('held') } : {}),
    },
  };
}

/** Stream field `type` of an order entry; stock entries have no `type`. */
export const ORDER_PLACED_ENTRY_TYPE = MessageType.OrderPlaced;

/** One `order.placed` entry of the outbox, parsed (fields `type`, `orderId`, `body`, `cid`). */
export interface OrderOutboxEntry {
  entryId: string;
  order: OrderPlacedEvent;
  correlationId?: string;
}

function fieldMap(fields: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let index = 0; index + 1 < fields.length; index += 2) {
    map.set(fields[index], fields[index + 1]);
  }
  return map;
}

/**
 * The `type` field of a stream entry: ORDER_PLACED_ENTRY_TYPE, PRICE_CHANGED_ENTRY_TYPE, or none
 * for a stock event. Read without building the entry's field map: the relay asks it of every
 * entry, and the entry's parser builds the map once anyway.
 */
export function outboxEntryType(fields: readonly string[]): string | undefined {
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] === 'type') return fields[index + 1];
  }
  return undefined;
}

export function parseOrderOutboxEntry(
  entryId: string,
  fields: readonly string[],
): OrderOutboxEntry {
  const map = fieldMap(fields);
  let body: unknown;
  try {
    body = JSON.parse(map.get('body') ?? '');
  } catch {
    throw new MalformedOutboxEntryError(entryId, 'body is not JSON');
  }
  const parsed = orderPlacedEventSchema.safeParse(body);
  if (!parsed.success) {
    throw new MalformedOutboxEntryError(entryId, `not an order.placed: ${parsed.error.message}`);
  }
  const correlationId = map.get('cid');
  return { entryId, order: parsed.data, ...(correlationId ? { correlationId } : {}) };
}

/**
 * `order.placed` on the `orders` topic exchange: plain JSON, `messageId` = the order id, so the
 * order worker drops a re-published copy.
 */
export function orderOutgoingMessage(
  order: OrderPlacedEvent,
  exchange: string = ORDERS_EXCHANGE,
  correlationId?: string,
): StockOutgoingMessage<OrderPlacedEvent> {
  return {
    exchange,
    routingKey: OrderRoutingKey.Placed,
    body: order,
    options: {
      messageId: order.orderId,
      type: MessageType.OrderPlaced,
      timestamp: new Date(order.placedAt),
      ...(correlationId ? { correlationId } : {}),
    },
  };
}

/** Stream field `type` of a price entry (written by libs/pricing's scripts). */
export const PRICE_CHANGED_ENTRY_TYPE = MessageType.PriceChanged;

/**
 * One price entry of the outbox, parsed. Fields: `type id price sale start end effective version
 * reason at cid`; amounts in cents, times in epoch ms, '' for none.
 */
export interface PriceOutboxEntry {
  entryId: string;
  event: PriceChangedEvent;
  correlationId?: string;
}

const PRICE_REASONS: readonly string[] = ['set', 'sale-start', 'sale-end'];

export function parsePriceOutboxEntry(
  entryId: string,
  fields: readonly string[],
): PriceOutboxEntry {
  const map = fieldMap(fields);
  const integer = (name: string): number => {
    const raw = map.get(name);
    const value = raw === undefined || raw === '' ? NaN : Number(raw);
    if (!Number.isSafeInteger(value)) {
      throw new MalformedOutboxEntryError(entryId, `${name}=${String(raw)}`);
    }
    return value;
  };
  const optional = (name: string): number | null => (map.get(name) ? integer(name) : null);
  const instant = (name: string): string | null => {
    const ms = optional(name);
    return ms === null ? null : new Date(ms).toISOString();
  };
  const reason = map.get('reason') ?? '';
  if (!PRICE_REASONS.includes(reason)) {
    throw new MalformedOutboxEntryError(entryId, `reason=${reason}`);
  }
  const sale = optional('sale');
  const correlationId = map.get('cid');
  return {
    entryId,
    ...(correlationId ? { correlationId } : {}),
    event: {
      id: integer('id'),
      price: integer('price') / 100,
      salePrice: sale === null ? null : sale / 100,
      saleStartsAt: instant('start'),
      saleEndsAt: instant('end'),
      effectivePrice: integer('effective') / 100,
      version: integer('version'),
      reason: reason as PriceChangeReason,
      occurredAt: new Date(integer('at')).toISOString(),
    },
  };
}

/** Deterministic per change, so a consumer drops a re-published copy. */
export function priceMessageId(event: Pick<PriceChangedEvent, 'id' | 'version'>): string {
  return `price-${event.id}-v${event.version}`;
}

/** A price change on the `price` direct exchange, key `info`: plain JSON, persistent. */
export function priceOutgoingMessage(
  event: PriceChangedEvent,
  exchange: string = PRICE_EXCHANGE,
  correlationId?: string,
): StockOutgoingMessage<PriceChangedEvent> {
  return {
    exchange,
    routingKey: PriceRoutingKey.Info,
    body: event,
    options: {
      messageId: priceMessageId(event),
      type: MessageType.PriceChanged,
      timestamp: new Date(event.occurredAt),
      ...(correlationId ? { correlationId } : {}),
    },
  };
}

/**
 * `info` for every change, plus `depleted` when the change took stock from above 0 to 0, or
 * `restocked` when it took it from 0 to above 0 (`stock - delta` is the figure before).
 */
export function stockRoutingKeys(event: StockChangedEvent): StockRoutingKey[] {
  const before = event.stock - event.delta;
  const keys: StockRoutingKey[] = [StockRoutingKey.Info];
  if (before > 0 && event.stock === 0) keys.push(StockRoutingKey.Depleted);
  if (before === 0 && event.stock > 0) keys.push(StockRoutingKey.Restocked);
  return keys;
}

/**
 * Deterministic, so a consumer can drop a redelivered or re-published event. The same id on every
 * routing key of one change: it is one event.
 */
export function stockMessageId(event: Pick<StockChangedEvent, 'id' | 'version'>): string {
  return `stock-${event.id}-v${event.version}`;
}

export function stockPublishProperties(
  event: StockChangedEvent,
  correlationId?: string,
): StockPublishProperties {
  return {
    messageId: stockMessageId(event),
    type: MessageType.StockChanged,
    timestamp: new Date(event.occurredAt),
    ...(correlationId ? { correlationId } : {}),
  };
}

/** Every message of one change, `info` first, each with the change's request id. */
export function stockOutgoingMessages(
  event: StockChangedEvent,
  exchange: string = STOCK_EXCHANGE,
  correlationId?: string,
): StockOutgoingMessage[] {
  const options = stockPublishProperties(event, correlationId);
  return stockRoutingKeys(event).map((routingKey) => ({
    exchange,
    routingKey,
    body: event,
    options,
  }));
}

/**
 * Which entries of a published batch may leave the outbox. An entry goes when all its messages
 * were confirmed and no earlier entry of the same product in the batch failed; otherwise it stays
 * and is published again next round, so the last message a consumer sees for a product is always
 * its newest version (a consumer that dedupes by messageId drops the repeat).
 */
export function planOutboxRemoval(
  entries: readonly OutboxEntry[],
  confirmed: readonly boolean[],
): { remove: string[]; keep: string[] } {
  return planOrderedRemoval(
    entries.map((entry) => ({ entryId: entry.entryId, orderingKey: `stock-${entry.event.id}` })),
    confirmed,
  );
}

/**
 * `planOutboxRemoval` over entries of any kind: an entry stays when its publish, or an earlier
 * one with the same `orderingKey` (a product's stock events), failed. Orders have a key each.
 */
export function planOrderedRemoval(
  entries: readonly { entryId: string; orderingKey: string }[],
  confirmed: readonly boolean[],
): { remove: string[]; keep: string[] } {
  const failedKeys = new Set<string>();
  const remove: string[] = [];
  const keep: string[] = [];
  entries.forEach((entry, index) => {
    if (confirmed[index] !== true) {
      failedKeys.add(entry.orderingKey);
      keep.push(entry.entryId);
    } else if (failedKeys.has(entry.orderingKey)) {
      keep.push(entry.entryId);
    } else {
      remove.push(entry.entryId);
    }
  });
  return { remove, keep };
}

/** Confirm verdict per group (one group = the messages of one outbox entry). */
export interface OutboxPublishResult {
  confirmed: boolean[];
  /** The last failure seen, for logs and metrics; null when everything was confirmed. */
  lastError: unknown;
}

function publishOne(
  publisher: StockEventPublisher<OutboxMessageBody>,
  message: StockOutgoingMessage<OutboxMessageBody>,
): Promise<void> {
  try {
    return publisher.publish(message.exchange, message.routingKey, message.body, message.options);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * Publishes every group's messages, in order, without waiting for confirms in between (one confirm
 * round trip per batch, not per event), then reports per group whether all its messages were
 * confirmed. Never rejects.
 */
export async function publishOutboxBatch(
  publisher: StockEventPublisher<OutboxMessageBody>,
  groups: readonly (readonly StockOutgoingMessage<OutboxMessageBody>[])[],
): Promise<OutboxPublishResult> {
  let lastError: unknown = null;
  if (publisher.publishBatch) {
    let outcomes: readonly StockPublishOutcome[];
    try {
      outcomes = await publisher.publishBatch(groups.flat());
    } catch (error) {
      return { confirmed: groups.map(() => false), lastError: error };
    }
    let index = 0;
    const confirmed = groups.map((group) => {
      let all = true;
      for (let offset = 0; offset < group.length; offset += 1, index += 1) {
        const outcome = outcomes[index];
        if (outcome?.confirmed !== true) {
          all = false;
          lastError = outcome?.error ?? new Error('publisher gave no outcome for a message');
        }
      }
      return all;
    });
    return { confirmed, lastError };
  }
  // All calls are made here, synchronously and in stream order; only then awaited.
  const verdicts = groups.map((group) =>
    Promise.all(group.map((message) => publishOne(publisher, message))).then(
      () => true,
      (error: unknown) => {
        lastError = error;
        return false;
      },
    ),
  );
  return { confirmed: await Promise.all(verdicts), lastError };
}
