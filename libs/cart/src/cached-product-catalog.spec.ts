import { CachedCartProductCatalog } from './cached-product-catalog';

describe('CachedCartProductCatalog', () => {
  it('shares one lookup among concurrent callers and remembers it for the TTL', async () => {
    let now = 0;
    const calls: number[] = [];
    const catalog = new CachedCartProductCatalog(
      {
        find: (id) => {
          calls.push(id);
          return Promise.resolve({ name: `P${id}`, price: 1 });
        },
      },
      1000,
      10,
      () => now,
    );
    const found = await Promise.all([catalog.find(1), catalog.find(1), catalog.find(1)]);
    expect(found).toEqual([
      { name: 'P1', price: 1 },
      { name: 'P1', price: 1 },
      { name: 'P1', price: 1 },
    ]);
    expect(calls).toEqual([1]);
    now = 999;
    await catalog.find(1);
    expect(calls).toEqual([1]);
    now = 1000;
    await catalog.find(1);
    expect(calls).toEqual([1, 1]);
  });

  it('does not remember a miss, nor a failure', async () => {
    let answer: { name: string; price: number } | null = null;
    let fail = true;
    const catalog = new CachedCartProductCatalog({
      find: () => (fail ? Promise.reject(new Error('MySQL down')) : Promise.resolve(answer)),
    });
    await expect(catalog.find(1)).rejects.toThrow('MySQL down');
    fail = false;
    expect(await catalog.find(1)).toBeNull();
    answer = { name: 'New', price: 2 };
    expect(await catalog.find(1)).toEqual({ name: 'New', price: 2 });
  });
});
