import { CategoryNode } from '@shop/contracts';
import { humanizeSlug } from './format';

/** The path from a root category down to `slug` (inclusive), or null when the tree lacks it. */
export function findCategoryTrail(
  tree: readonly CategoryNode[],
  slug: string,
): CategoryNode[] | null {
  for (const node of tree) {
    if (node.slug === slug) return [node];
    const below = findCategoryTrail(node.children, slug);
    if (below) return [node, ...below];
  }
  return null;
}

export function categoryNames(tree: readonly CategoryNode[]): Map<string, string> {
  const names = new Map<string, string>();
  const visit = (nodes: readonly CategoryNode[]): void => {
    for (const node of nodes) {
      names.set(node.slug, node.name);
      visit(node.children);
    }
  };
  visit(tree);
  return names;
}

export interface CategoryLink {
  slug: string;
  name: string;
  href: string;
}

export function categoryHref(slug: string): string {
  return `/c/${encodeURIComponent(slug)}`;
}

/** Links for a product's category slugs, named from the tree when we have it. */
export function categoryLinks(
  slugs: readonly string[],
  names: ReadonlyMap<string, string>,
): CategoryLink[] {
  return slugs.map((slug) => ({
    slug,
    name: names.get(slug) ?? humanizeSlug(slug),
    href: categoryHref(slug),
  }));
}
