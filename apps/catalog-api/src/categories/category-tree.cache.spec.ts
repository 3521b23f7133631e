import type { CategoryNode } from '@shop/contracts';
import type { CategoryRepository } from '@shop/persistence';
import { CategoryTreeCache } from './category-tree.cache';

class NamedTree implements Pick<CategoryRepository, 'tree'> {
  reads = 0;
  name = 'Shoes';

  async tree(): Promise<CategoryNode[]> {
    this.reads += 1;
    return [{ slug: 'shoes', name: this.name, children: [] }];
  }
}

describe('CategoryTreeCache', () => {
  it('keeps the tree between reads, and reads it again once invalidated (a rename)', async () => {
    const repository = new NamedTree();
    const cache = new CategoryTreeCache(repository as unknown as CategoryRepository);
    expect((await cache.tree())[0].name).toBe('Shoes');
    repository.name = 'Footwear';
    expect((await cache.tree())[0].name).toBe('Shoes');
    expect(repository.reads).toBe(1);

    cache.categoriesChanged();
    expect((await cache.tree())[0].name).toBe('Footwear');
    expect(repository.reads).toBe(2);
  });
});
