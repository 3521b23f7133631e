import { StockChangedEvent } from '@shop/contracts';
import type { ConfirmingPublisher } from '@shop/messaging';
import {
  MalformedOutboxEntryError,
  OutboxEntry,
  parseOutboxEntry,
  planOutboxRemoval,
  publishOutboxBatch,
  StockEventPublisher,
  stockMessageId,
  stockOutgoingMessages,
  stockPublishProperties,
  stockRoutingKeys,
} from './stock-outbox';

function event(stock: number, delta: number, overrides: Partial<StockChangedEvent> = {}) {
  return {
    id: 7,
    stock,
    delta,
    version: 3,
    reason: 'set',
    occurredAt: '2025-01-02T03:04:05.678Z',
    ...overrides,
  } satisfies StockChangedEvent;
}

describe('stockRoutingKeys', () => {
  it.each([
    ['a plain change', 5, -2, ['info']],
    ['a change that empties the product', 0, -3, ['info', 'depleted']],
    ['a change from 0', 4, 4, ['info', 'restocked']],
    ['a set of 0 to 0', 0, 0, ['info']],
    ['a set to the same figure', 5, 0, ['info']],
  ])('%s', (_label, stock, delta, keys) => {
    expect(stockRoutingKeys(event(stock, delta))).toEqual(keys);
  });
});

describe('message properties', () => {
  it('derives a deterministic message id from product and version', () => {
    expect(stockMessageId({ id: 12, version: 40 })).toBe('stock-12-v40');
  });

  it('sets type and the change instant as timestamp', () => {
    expect(stockPublishProperties(event(1, 1))).toEqual({
      messageId: 'stock-7-v3',
      type: 'stock.changed',
      timestamp: new Date('2025-01-02T03:04:05.678Z'),
    });
  });

  it("is what libs/messaging's ConfirmingPublisher accepts (checked by tsc)", () => {
    const fits: ConfirmingPublisher extends StockEventPublisher ? true : false = true;
    expect(fits).toBe(true);
  });
});

describe('parseOutboxEntry', () => {
  const fields = ['id', '7', 'stock', '0', 'delta', '-3', 'version', '9', 'reason', 'decrement'];

  it('builds the event with an ISO occurredAt', () => {
    expect(parseOutboxEntry('1-0', [...fields, 'at', '1735787045678'])).toEqual({
      entryId: '1-0',
      event: {
        id: 7,
        stock: 0,
        delta: -3,
        version: 9,
        reason: 'decrement',
        occurredAt: '2025-01-02T03:04:05.678Z',
      },
    });
  });

  it.each([
    ['a missing field', fields],
    ['a non-numeric field', [...fields.slice(0, 2), 'stock', 'x', ...fields.slice(4), 'at', '1']],
    ['an unknown reason', [...fields.slice(0, 8), 'reason', 'steal', 'at', '1']],
  ])('refuses %s', (_label, broken) => {
    expect(() => parseOutboxEntry('1-0', broken)).toThrow(MalformedOutboxEntryError);
  });
});

describe('stockOutgoingMessages', () => {
  it('puts info first, then the crossing key, on the stock exchange', () => {
    expect(
      stockOutgoingMessages(event(0, -1)).map((message) => [
        message.exchange,
        message.routingKey,
        message.options.messageId,
      ]),
    ).toEqual([
      ['stock', 'info', 'stock-7-v3'],
      ['stock', 'depleted', 'stock-7-v3'],
    ]);
  });
});

describe('correlation id', () => {
  const fields = ['id', '7', 'stock', '5', 'delta', '1', 'version', '9', 'reason', 'set'];

  it("reads the entry's cid as its correlation id; an empty or missing cid is none", () => {
    expect(parseOutboxEntry('1-0', [...fields, 'at', '1', 'cid', 'req-1']).correlationId).toBe(
      'req-1',
    );
    expect(parseOutboxEntry('1-0', [...fields, 'at', '1', 'cid', ''])).not.toHaveProperty(
      'correlationId',
    );
    expect(parseOutboxEntry('1-0', [...fields, 'at', '1'])).not.toHaveProperty('correlationId');
  });

  it('puts it on every message of the change', () => {
    const messages = stockOutgoingMessages(event(0, -1), 'stock', 'req-1');
    expect(messages).toHaveLength(2);
    expect(messages.map((message) => message.options.correlationId)).toEqual(['req-1', 'req-1']);
    expect(stockPublishProperties(event(1, 1))).not.toHaveProperty('correlationId');
  });
});

describe('publishOutboxBatch', () => {
  const groups = [
    stockOutgoingMessages(event(0, -1, { id: 1 })),
    stockOutgoingMessages(event(5, 1, { id: 2 })),
    stockOutgoingMessages(event(6, 1, { id: 3 })),
  ];

  it('calls publish for every message in order before awaiting any, and reports per entry', async () => {
    const calls: string[] = [];
    const publisher: StockEventPublisher = {
      publish: (_exchange, key, body) => {
        calls.push(`${body.id} ${key}`);
        if (body.id === 2) throw new Error('sync failure');
        return key === 'depleted' ? Promise.reject(new Error('nacked')) : Promise.resolve();
      },
    };
    const result = await publishOutboxBatch(publisher, groups);
    expect(calls).toEqual(['1 info', '1 depleted', '2 info', '3 info']);
    expect(result.confirmed).toEqual([false, false, true]);
    expect(result.lastError).toBeInstanceOf(Error);
  });

  it('uses publishBatch when the publisher has it, mapping outcomes back to entries', async () => {
    const publisher: StockEventPublisher = {
      publish: () => Promise.reject(new Error('must not be called')),
      publishBatch: (messages) =>
        Promise.resolve(
          messages.map((message) =>
            message.body.id === 3
              ? { confirmed: false, error: new Error('timeout') }
              : { confirmed: true },
          ),
        ),
    };
    const result = await publishOutboxBatch(publisher, groups);
    expect(result).toEqual({ confirmed: [true, true, false], lastError: new Error('timeout') });
  });

  it('reports every entry unconfirmed when publishBatch rejects', async () => {
    const publisher: StockEventPublisher = {
      publish: () => Promise.resolve(),
      publishBatch: () => Promise.reject(new Error('closed')),
    };
    expect((await publishOutboxBatch(publisher, groups)).confirmed).toEqual([false, false, false]);
  });

  it('confirms everything on a healthy publisher', async () => {
    const publisher: StockEventPublisher = { publish: () => Promise.resolve() };
    expect(await publishOutboxBatch(publisher, groups)).toEqual({
      confirmed: [true, true, true],
      lastError: null,
    });
  });
});

describe('planOutboxRemoval', () => {
  const entry = (entryId: string, id: number, version: number): OutboxEntry => ({
    entryId,
    event: event(1, 0, { id, version }),
  });

  it('removes every confirmed entry', () => {
    const entries = [entry('1', 1, 1), entry('2', 2, 1)];
    expect(planOutboxRemoval(entries, [true, true])).toEqual({ remove: ['1', '2'], keep: [] });
  });

  it("keeps a failed entry and the product's later entries, removes other products'", () => {
    const entries = [entry('1', 1, 1), entry('2', 1, 2), entry('3', 2, 1), entry('4', 1, 3)];
    expect(planOutboxRemoval(entries, [false, true, true, true])).toEqual({
      remove: ['3'],
      keep: ['1', '2', '4'],
    });
  });

  it("removes a product's entries confirmed before its failure", () => {
    const entries = [entry('1', 1, 1), entry('2', 1, 2), entry('3', 1, 3)];
    expect(planOutboxRemoval(entries, [true, false, true])).toEqual({
      remove: ['1'],
      keep: ['2', '3'],
    });
  });
});
