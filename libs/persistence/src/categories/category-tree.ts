import type { Category, CategoryNode } from '@shop/contracts';

/**
 * Nests categories under their parents, keeping the input order among siblings (callers pass
 * them sorted by position). A category whose parent is missing becomes a root rather than
 * vanishing from the menu; one caught in a parent cycle is left out.
 */
export function buildCategoryTree(categories: readonly Category[]): CategoryNode[] {
  const known = new Set(categories.map((category) => category.slug));
  const childrenOf = new Map<string | null, Category[]>();
  for (const category of categories) {
    const parent =
      category.parentSlug !== null && known.has(category.parentSlug) ? category.parentSlug : null;
    const siblings = childrenOf.get(parent) ?? [];
    siblings.push(category);
    childrenOf.set(parent, siblings);
  }
  const visited = new Set<string>();
  const nest = (parent: string | null): CategoryNode[] =>
    (childrenOf.get(parent) ?? [])
      .filter((category) => !visited.has(category.slug))
      .map((category) => {
        visited.add(category.slug);
        return { slug: category.slug, name: category.name, children: nest(category.slug) };
      });
  return nest(null);
}
