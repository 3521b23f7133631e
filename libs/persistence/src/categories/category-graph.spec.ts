import { CategoryGraph, distinctSlugs, type CategoryNodeRow } from './category-graph';

const row = (
  id: number,
  slug: string,
  parentSlug: string | null,
  position = 0,
): CategoryNodeRow => ({ id, slug, name: slug, parentSlug, position });

//  women ─┬─ women-tops ── women-shirts
//         └─ women-dresses
//  men
const graph = new CategoryGraph([
  row(1, 'women', null, 0),
  row(2, 'men', null, 1),
  row(3, 'women-tops', 'women', 0),
  row(4, 'women-dresses', 'women', 3),
  row(5, 'women-shirts', 'women-tops', 0),
]);

describe('CategoryGraph', () => {
  it('walks ancestors up to the root and descendants breadth first', () => {
    expect(graph.ancestors('women-shirts')).toEqual(['women-tops', 'women']);
    expect(graph.ancestors('men')).toEqual([]);
    expect(graph.descendants('women')).toEqual(['women-tops', 'women-dresses', 'women-shirts']);
    expect(graph.descendants('women-shirts')).toEqual([]);
    expect(graph.children('women')).toEqual(['women-tops', 'women-dresses']);
  });

  it('knows what lies within a branch: the would-be cycles', () => {
    expect(graph.isWithin('women', 'women')).toBe(true);
    expect(graph.isWithin('women-shirts', 'women')).toBe(true);
    expect(graph.isWithin('men', 'women')).toBe(false);
    expect(graph.isWithin('women', 'women-shirts')).toBe(false);
  });

  it('places a new category after the last sibling', () => {
    expect(graph.nextPosition('women')).toBe(4);
    expect(graph.nextPosition(null)).toBe(2);
    expect(graph.nextPosition('men')).toBe(0);
  });

  it('does not loop on a cycle already stored', () => {
    const broken = new CategoryGraph([row(1, 'a', 'b'), row(2, 'b', 'a')]);
    expect(broken.ancestors('a')).toEqual(['b']);
    expect(broken.descendants('a')).toEqual(['b']);
  });

  it('merges slug lists without repeats, first seen first', () => {
    expect(distinctSlugs(['a', 'b'], ['b', 'c'], [])).toEqual(['a', 'b', 'c']);
  });
});
