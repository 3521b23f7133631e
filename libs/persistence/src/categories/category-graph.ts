/** One stored category, as a write sees it while it holds the categories' locks. */
export interface CategoryNodeRow {
  readonly id: number;
  readonly slug: string;
  readonly name: string;
  readonly parentSlug: string | null;
  readonly position: number;
}

/**
 * The category tree as parent links, for the checks and the purge lists of a category write:
 * pure, so the rules (no cycles, what a change touches) are tested without MySQL.
 */
export class CategoryGraph {
  private readonly bySlug: ReadonlyMap<string, CategoryNodeRow>;
  private readonly childrenOf = new Map<string, string[]>();

  constructor(rows: readonly CategoryNodeRow[]) {
    this.bySlug = new Map(rows.map((row) => [row.slug, row]));
    for (const row of rows) {
      if (row.parentSlug === null) continue;
      const siblings = this.childrenOf.get(row.parentSlug) ?? [];
      siblings.push(row.slug);
      this.childrenOf.set(row.parentSlug, siblings);
    }
  }

  get(slug: string): CategoryNodeRow | undefined {
    return this.bySlug.get(slug);
  }

  has(slug: string): boolean {
    return this.bySlug.has(slug);
  }

  children(slug: string): string[] {
    return [...(this.childrenOf.get(slug) ?? [])];
  }

  /**
   * The parent, the parent's parent, … up to a root. Stops at a slug seen before, so a cycle
   * already stored (the schema cannot forbid one) cannot loop forever.
   */
  ancestors(slug: string): string[] {
    const found: string[] = [];
    const seen = new Set([slug]);
    let parent = this.bySlug.get(slug)?.parentSlug ?? null;
    while (parent !== null && !seen.has(parent)) {
      found.push(parent);
      seen.add(parent);
      parent = this.bySlug.get(parent)?.parentSlug ?? null;
    }
    return found;
  }

  /** Every category below `slug`, breadth first, without `slug` itself. */
  descendants(slug: string): string[] {
    const found: string[] = [];
    const seen = new Set([slug]);
    const queue = [slug];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const child of this.childrenOf.get(next) ?? []) {
        if (seen.has(child)) continue;
        seen.add(child);
        found.push(child);
        queue.push(child);
      }
    }
    return found;
  }

  /** True when `candidate` is `slug` itself or lies below it. */
  isWithin(candidate: string, slug: string): boolean {
    return candidate === slug || this.ancestors(candidate).includes(slug);
  }

  /** Position for a new last child of `parentSlug` (null: a new last root). */
  nextPosition(parentSlug: string | null): number {
    let last = -1;
    for (const row of this.bySlug.values()) {
      if (row.parentSlug === parentSlug) last = Math.max(last, row.position);
    }
    return last + 1;
  }
}

/** Distinct values in first-seen order. */
export function distinctSlugs(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}
