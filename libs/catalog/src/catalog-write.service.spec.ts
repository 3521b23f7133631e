import type { ProductInput, ProductRecord, ProductRepository } from '@shop/persistence';
import type { CatalogOutboxRelayService } from './catalog-outbox-relay.service';
import { CatalogWriteService } from './catalog-write.service';

const input: ProductInput = {
  sku: 'LB-1',
  name: 'Linen Blazer',
  description: 'Light summer blazer',
  price: 149.9,
  categories: ['jackets'],
};

function record(id: number): ProductRecord {
  return {
    id,
    ...input,
    createdAt: '2025-03-14T09:30:15.000Z',
    updatedAt: '2025-03-14T09:30:15.000Z',
    version: 4,
  };
}

/** Records the order of events: each repository write as it commits, each relay wake-up. */
function writeService(fail?: Error) {
  const events: string[] = [];
  const commit = (what: string, id: number) => {
    if (fail) return Promise.reject(fail);
    events.push(what);
    return Promise.resolve(record(id));
  };
  const products = {
    create: jest.fn((_input: ProductInput, _options: object) => commit('create', 7)),
    replace: jest.fn((id: number) => commit('replace', id)),
    patch: jest.fn((id: number) => commit('patch', id)),
    delete: jest.fn((id: number) =>
      fail ? Promise.reject(fail) : (events.push('delete'), Promise.resolve({ id, version: 5 })),
    ),
  };
  const relay = { notify: jest.fn(() => events.push('notify')) };
  const service = new CatalogWriteService(
    products as unknown as ProductRepository,
    relay as unknown as CatalogOutboxRelayService,
  );
  return { service, products, relay, events };
}

describe('CatalogWriteService', () => {
  it('commits each write, then wakes the relay, and answers the product without its version', async () => {
    const { service, products, events } = writeService();
    const options = { correlationId: 'req-1' };

    expect(await service.create(input, options)).toEqual({ ...record(7), version: undefined });
    expect(await service.replace(3, input, options)).not.toHaveProperty('version');
    expect(await service.patch(3, { price: 99 }, options)).toMatchObject({ id: 3, sku: 'LB-1' });
    await service.delete(3, options);

    expect(events).toEqual([
      'create',
      'notify',
      'replace',
      'notify',
      'patch',
      'notify',
      'delete',
      'notify',
    ]);
    expect(products.create).toHaveBeenCalledWith(input, options);
    expect(products.replace).toHaveBeenCalledWith(3, input, options);
    expect(products.patch).toHaveBeenCalledWith(3, { price: 99 }, options);
    expect(products.delete).toHaveBeenCalledWith(3, options);
  });

  it('wakes nobody when the write fails', async () => {
    const failure = new Error('duplicate SKU');
    const { service, relay } = writeService(failure);

    await expect(service.create(input)).rejects.toBe(failure);
    await expect(service.replace(3, input)).rejects.toBe(failure);
    await expect(service.patch(3, {})).rejects.toBe(failure);
    await expect(service.delete(3)).rejects.toBe(failure);
    expect(relay.notify).not.toHaveBeenCalled();
  });
});
