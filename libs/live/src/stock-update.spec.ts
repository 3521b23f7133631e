import { parseStockUpdate } from './stock-update';

const event = {
  id: 42,
  stock: 7,
  delta: -1,
  version: 12,
  reason: 'hold',
  occurredAt: '2026-12-01T05:00:00.000Z',
  onHand: 9,
  held: 2,
};

describe('parseStockUpdate', () => {
  it('turns a StockChangedEvent into the message browsers get', () => {
    expect(parseStockUpdate(Buffer.from(JSON.stringify(event)))).toEqual({
      type: 'stock',
      id: 42,
      stock: 7,
      version: 12,
      at: '2026-12-01T05:00:00.000Z',
    });
  });

  it('reads the original demo fields plus version and time; the rest is optional', () => {
    const { id, stock, version, occurredAt } = event;
    expect(parseStockUpdate(JSON.stringify({ id, stock, version, occurredAt }))).not.toBeNull();
  });

  it.each([
    ['not JSON', 'nope'],
    ['null', 'null'],
    ['a string id', JSON.stringify({ ...event, id: '42' })],
    ['id 0', JSON.stringify({ ...event, id: 0 })],
    ['a negative stock', JSON.stringify({ ...event, stock: -1 })],
    ['a fractional stock', JSON.stringify({ ...event, stock: 1.5 })],
    ['no version', JSON.stringify({ ...event, version: undefined })],
    ['a bad time', JSON.stringify({ ...event, occurredAt: 'yesterday' })],
  ])('drops %s', (_case, body) => {
    expect(parseStockUpdate(body)).toBeNull();
  });
});
