import type { PriceChangedEvent } from '@shop/contracts';
import type { ProductPriceRow } from '@shop/persistence';
import { parsePriceChangedEvent } from '../events';
import { PriceSync } from './price.sync';
import type { CatalogChange } from '../events';

const event = (over: Partial<PriceChangedEvent> = {}): PriceChangedEvent => ({
  id: 5,
  price: 20,
  salePrice: 15,
  saleStartsAt: '2026-12-01T10:00:00.000Z',
  saleEndsAt: null,
  effectivePrice: 15,
  version: 3,
  reason: 'sale-start',
  occurredAt: '2026-12-01T10:00:00.010Z',
  ...over,
});

describe('PriceSync', () => {
  it('writes the states to MySQL, then re-indexes every product of the batch once', async () => {
    const written: ProductPriceRow[][] = [];
    const indexed: CatalogChange[][] = [];
    const sync = new PriceSync(
      {
        applyPrices: (rows) => {
          written.push([...rows]);
          return Promise.resolve([5]);
        },
      },
      {
        handle: (changes) => {
          indexed.push([...changes]);
          return Promise.resolve({
            events: 0,
            upserted: 0,
            removed: 0,
            rewrites: 0,
            purgedTags: 0,
          });
        },
      },
    );
    const result = await sync.handle([
      event(),
      event({ id: 6, salePrice: null, saleStartsAt: null, effectivePrice: 20, reason: 'set' }),
      event({ version: 4, reason: 'sale-end', salePrice: null, saleStartsAt: null }),
    ]);
    expect(result).toEqual({ events: 3, written: 1, indexed: 2 });
    expect(written[0][0]).toEqual({
      id: 5,
      price: 20,
      sale: { price: 15, startsAt: '2026-12-01T10:00:00.000Z', endsAt: null },
      version: 3,
    });
    expect(written[0][1].sale).toBeNull();
    expect(indexed[0].map((change) => change.id)).toEqual([5, 6]);
  });
});

describe('parsePriceChangedEvent', () => {
  it('accepts the wire body and refuses a malformed one as poison', () => {
    expect(parsePriceChangedEvent(JSON.parse(JSON.stringify(event())))).toEqual(event());
    expect(() => parsePriceChangedEvent({ ...event(), price: '20' })).toThrow('not a price event');
    expect(() => parsePriceChangedEvent({ ...event(), reason: 'whim' })).toThrow(
      'not a price event',
    );
  });
});
