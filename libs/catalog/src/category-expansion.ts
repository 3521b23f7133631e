import type { CategoryNode } from '@shop/contracts';

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
