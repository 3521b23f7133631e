import {
  MessageType,
  STOCK_ACTIONS,
  STOCK_EXCHANGE,
  StockChangedEvent,
  StockChangeReason,
  StockRoutingKey,
} from '@shop/contracts';

/** AMQP properties the relay sets on each message; `timestamp` is in seconds (AMQP convention). */
export interface StockPublishProperties {
  messageId: string;
  type: string;
  timestamp?: number;
  headers?: Record<string, unknown>;
}

/**
 * What the relay needs from a RabbitMQ publisher (libs/messaging's ConfirmingPublisher fits).
 * `publish` resolves only after the broker's confirm, rejects (quickly) when it cannot publish,
 * serialises `body` as persistent JSON with `contentType`, and sends calls made one after another
 * on the same channel in call order.
 */
export interface StockEventPublisher {
  publish(
    exchange: string,
    routingKey: string,
    body: StockChangedEvent,
    properties: StockPublishProperties,
  ): Promise<void>;
}

/** One entry of the outbox stream, parsed. */
export interface OutboxEntry {
  entryId: string;
  event: StockChangedEvent;
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

const REASONS: readonly string[] = [...STOCK_ACTIONS, 'restore'];

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
  return {
    entryId,
    event: {
      id: integer('id'),
      stock: integer('stock'),
      delta: integer('delta'),
      version: integer('version'),
      reason,
      occurredAt: new Date(integer('at')).toISOString(),
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

export function stockPublishProperties(event: StockChangedEvent): StockPublishProperties {
  return {
    messageId: stockMessageId(event),
    type: MessageType.StockChanged,
    timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
  };
}

/** Publishes every message of one change (`info` first); resolves when all are confirmed. */
export function publishStockEvent(
  publisher: StockEventPublisher,
  event: StockChangedEvent,
  exchange: string = STOCK_EXCHANGE,
): Promise<void[]> {
  const properties = stockPublishProperties(event);
  return Promise.all(
    stockRoutingKeys(event).map((key) => publisher.publish(exchange, key, event, properties)),
  );
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
  const failedProducts = new Set<number>();
  const remove: string[] = [];
  const keep: string[] = [];
  entries.forEach((entry, index) => {
    if (confirmed[index] !== true) {
      failedProducts.add(entry.event.id);
      keep.push(entry.entryId);
    } else if (failedProducts.has(entry.event.id)) {
      keep.push(entry.entryId);
    } else {
      remove.push(entry.entryId);
    }
  });
  return { remove, keep };
}
