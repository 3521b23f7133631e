import type { CategoryDetails } from '@shop/contracts';
import { CategoryNotFoundError, type CategoryRepository } from '@shop/persistence';
import type { CatalogOutboxRelayService } from './catalog-outbox-relay.service';
import { CategoryWriteService } from './category-write.service';

const coats: CategoryDetails = { slug: 'coats', name: 'Coats', parentSlug: null, position: 0 };

function setup(fail?: Error) {
  const events: string[] = [];
  const commit = <T>(what: string, result: T): Promise<T> => {
    if (fail) return Promise.reject(fail);
    events.push(what);
    return Promise.resolve(result);
  };
  const categories = {
    create: jest.fn(() => commit('create', coats)),
    update: jest.fn(() => commit('update', { ...coats, name: 'Coats & Jackets' })),
    delete: jest.fn(() =>
      commit('delete', { slug: 'coats', reassignTo: null, movedProducts: [], movedChildren: [] }),
    ),
  };
  const relay = { notify: jest.fn(() => events.push('notify')) };
  const service = new CategoryWriteService(
    categories as unknown as CategoryRepository,
    relay as unknown as CatalogOutboxRelayService,
  );
  service.onChange({ categoriesChanged: () => events.push('changed') });
  return { service, categories, events };
}

describe('CategoryWriteService', () => {
  it('commits each write, then wakes the relay and tells the listeners', async () => {
    const { service, categories, events } = setup();
    const options = { correlationId: 'req-1' };
    expect(await service.create({ slug: 'coats', name: 'Coats' }, options)).toEqual(coats);
    await service.update('coats', { name: 'Coats & Jackets' }, options);
    await service.delete('coats', { ...options, reassignTo: 'jackets' });
    expect(events).toEqual([
      'create',
      'notify',
      'changed',
      'update',
      'notify',
      'changed',
      'delete',
      'notify',
      'changed',
    ]);
    expect(categories.create).toHaveBeenCalledWith({ slug: 'coats', name: 'Coats' }, options);
    expect(categories.delete).toHaveBeenCalledWith('coats', {
      correlationId: 'req-1',
      reassignTo: 'jackets',
    });
  });

  it('wakes no one when the write fails', async () => {
    const { service, events } = setup(new CategoryNotFoundError('coats'));
    await expect(service.update('coats', { name: 'X' })).rejects.toThrow(CategoryNotFoundError);
    await expect(service.delete('coats')).rejects.toThrow(CategoryNotFoundError);
    expect(events).toEqual([]);
  });
});
