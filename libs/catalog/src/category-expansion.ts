import type { CategoryNode } from '@shop/contracts';
import type { CategoryTaxonomy } from '@shop/search';

/**
 * A shopper filtering by a department means everything under it: products are filed under leaf
 * categories, so each requested slug stands for itself and all its descendants. Unknown slugs
 * are kept (they simply match nothing).
 */
export function expandCategorySlugs(
  tree: readonly CategoryNode[],
  slugs: readonly string[],
): string[] {
  // Most listings filter by no category: no tree walk for them.
  if (slugs.length === 0) return [];
  const bySlug = new Map<string, CategoryNode>();
  const index = (nodes: readonly CategoryNode[]): void => {
    for (const node of nodes) {
      bySlug.set(node.slug, node);
      index(node.children);
    }
  };
  index(tree);

  const expanded = new Set<string>();
  const add = (node: CategoryNode): void => {
    expanded.add(node.slug);
    node.children.forEach(add);
  };
  for (const slug of slugs) {
    const node = bySlug.get(slug);
    if (node) add(node);
    else expanded.add(slug);
  }
  return [...expanded];
}

/**
 * The category tree as search reads it: departments expand to their subtrees, and facet buckets
 * get the names the menu shows. Built from the tree the catalog API already holds in memory, so
 * a listing stays one Elasticsearch request and a renamed category shows its new name as soon
 * as the tree is read again (no search document carries a name).
 */
export function categoryTaxonomy(tree: readonly CategoryNode[]): CategoryTaxonomy {
  const names = new Map<string, string>();
  const index = (nodes: readonly CategoryNode[]): void => {
    for (const node of nodes) {
      names.set(node.slug, node.name);
      index(node.children);
    }
  };
  index(tree);
  return {
    expand: (slugs) => expandCategorySlugs(tree, slugs),
    label: (slug) => names.get(slug),
  };
}
