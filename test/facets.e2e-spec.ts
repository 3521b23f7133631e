import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CategoryNode, ProductSearchResult } from '@shop/contracts';
import { startAppInstance, type AppInstance } from './support/apps';
import { config, requestJson, urls } from './support/stack';
import { purgeTags, textOf, viewPage, type PageView } from './support/varnish';

/**
 * Multi-select facets on the storefront, through the real Varnish and with the seeded demo
 * catalog only (no product is created or changed here): checkboxes are plain links, so this test
 * "clicks" them the way a browser without JavaScript does, by following their hrefs. Figures are
 * checked against the catalog API asked directly (not through Varnish), and against each other
 * where the arithmetic is plain: a demo product sits in one leaf category, so two ticked leaves
 * hold the sum of their counts.
 */
const DEPARTMENT = 'men';
/** Leaves no other suite writes products into (catalog.e2e-spec uses men-shoes). */
const SHIRTS = 'men-shirts';
const JACKETS = 'men-jackets';
/** A second catalog-api of this suite's own, whose Elasticsearch traffic goes through a counter. */
const COUNTED_CATALOG_PORT = config.CATALOG_API_PORT + 10;

/**
 * A plain HTTP relay in front of the real Elasticsearch that remembers each request line: the
 * app under test talks to the real node, and the test sees how often it did.
 */
async function startCountingProxy(target: string): Promise<{
  server: Server;
  url: string;
  requests: string[];
}> {
  const upstream = new URL(target);
  const requests: string[] = [];
  const server = createServer((incoming, outgoing) => {
    requests.push(`${incoming.method} ${incoming.url}`);
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', (error) => outgoing.destroy(error));
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, requests };
}

interface Checkbox {
  href: string;
  checked: boolean;
  label: string;
  count: number | null;
}

/** The facet checkboxes of a listing page, as links with their state, label and count. */
function checkboxes(html: string): Checkbox[] {
  const pattern =
    /<a href="([^"]+)" role="checkbox" aria-checked="(true|false)"[^>]*><span class="box" aria-hidden="true">[^<]*<\/span> ([^<]+?)(?: <span class="count">\((\d+)\)<\/span>)?<\/a>/g;
  return [...html.matchAll(pattern)].map((match) => ({
    href: decode(match[1]),
    checked: match[2] === 'true',
    label: decode(match[3]),
    count: match[4] === undefined ? null : Number(match[4]),
  }));
}

function decode(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The checkbox whose link toggles `category=<slug>` (it is in the href when unticked). */
function categoryBox(boxes: Checkbox[], slug: string, name: string): Checkbox {
  const box = boxes.find((candidate) => candidate.label === name);
  if (!box)
    throw new Error(`no checkbox labelled "${name}" (${slug}) among ${JSON.stringify(boxes)}`);
  return box;
}

function shownTotal(view: PageView): number {
  const text = textOf(view.html, 'result-count');
  const total = Number(/^(\d+) products?$/.exec(text ?? '')?.[1]);
  if (!Number.isInteger(total)) throw new Error(`no result count on the page: ${text}`);
  return total;
}

/** The catalog API itself, past Varnish: what the page should show right now. */
async function catalog(params: string): Promise<ProductSearchResult> {
  const response = await requestJson<ProductSearchResult>(`${urls.catalog}/products?${params}`);
  expect(response.status).toBe(200);
  return response.body;
}

async function view(path: string): Promise<PageView> {
  const page = await viewPage(path);
  expect({ path, status: page.status }).toEqual({ path, status: 200 });
  return page;
}

describe('storefront facets (multi-select checkboxes through Varnish)', () => {
  const names = new Map<string, string>();
  let subcategories: string[] = [];

  beforeAll(async () => {
    const tree = await requestJson<CategoryNode[]>(`${urls.catalog}/categories`);
    expect(tree.status).toBe(200);
    const department = tree.body.find((node) => node.slug === DEPARTMENT);
    if (!department) throw new Error(`the demo catalog has no "${DEPARTMENT}" department`);
    subcategories = department.children.map((child) => child.slug);
    for (const child of department.children) names.set(child.slug, child.name);
    // Start from pages rendered now, not from copies an earlier suite left in the cache.
    expect((await purgeTags({ hard: [`category-${DEPARTMENT}`] })).status).toBe(200);
  });

  it('offers the subcategories as unticked checkbox links with their names and counts', async () => {
    const page = await view(`/c/${DEPARTMENT}`);
    const expected = await catalog(`category=${DEPARTMENT}&size=1`);
    expect(shownTotal(page)).toBe(expected.total);

    const boxes = checkboxes(page.html);
    for (const slug of [SHIRTS, JACKETS]) {
      const bucket = expected.aggregations.categories.find((candidate) => candidate.key === slug);
      expect(bucket).toMatchObject({ label: names.get(slug), selected: false });
      expect(categoryBox(boxes, slug, names.get(slug)!)).toEqual({
        href: `/c/${DEPARTMENT}?category=${slug}`,
        checked: false,
        label: names.get(slug),
        count: bucket!.count,
      });
    }
    // Only this department's own subcategories are offered, never a sibling department's.
    const offered = boxes.filter((box) => box.href.includes('category='));
    expect(offered.length).toBeGreaterThan(1);
    for (const box of offered) {
      expect(subcategories.map((slug) => names.get(slug))).toContain(box.label);
    }
    // The price ranges are checkboxes too, none ticked.
    expect(boxes.some((box) => box.href.includes('priceRange='))).toBe(true);
    expect(boxes.every((box) => !box.checked)).toBe(true);
  });

  it('ticking one subcategory narrows the page and still counts the others; a second adds its products', async () => {
    const first = checkboxes((await view(`/c/${DEPARTMENT}`)).html);
    const shirts = categoryBox(first, SHIRTS, names.get(SHIRTS)!);
    const jackets = categoryBox(first, JACKETS, names.get(JACKETS)!);

    const one = await view(shirts.href);
    expect(shownTotal(one)).toBe(shirts.count);
    const oneBoxes = checkboxes(one.html);
    // Ticked, and its link unticks it again.
    expect(categoryBox(oneBoxes, SHIRTS, names.get(SHIRTS)!)).toMatchObject({
      checked: true,
      href: `/c/${DEPARTMENT}`,
      count: shirts.count,
    });
    // The other subcategory is counted as if nothing were ticked, and its link adds it.
    expect(categoryBox(oneBoxes, JACKETS, names.get(JACKETS)!)).toEqual({
      ...jackets,
      href: `/c/${DEPARTMENT}?category=${JACKETS}&category=${SHIRTS}`,
    });

    const two = await view(categoryBox(oneBoxes, JACKETS, names.get(JACKETS)!).href);
    // OR within the facet: the union, which for two leaves is the sum.
    expect(shownTotal(two)).toBe((shirts.count ?? 0) + (jackets.count ?? 0));
    expect(shownTotal(two)).toBe(
      (await catalog(`category=${SHIRTS}&category=${JACKETS}&size=1`)).total,
    );
    const twoBoxes = checkboxes(two.html);
    expect(twoBoxes.filter((box) => box.checked).map((box) => box.label)).toEqual(
      expect.arrayContaining([names.get(SHIRTS), names.get(JACKETS)]),
    );
    // Unticking one leaves the other.
    expect(categoryBox(twoBoxes, SHIRTS, names.get(SHIRTS)!).href).toBe(
      `/c/${DEPARTMENT}?category=${JACKETS}`,
    );
  });

  it('a ticked price range narrows the category counts but not the price-range counts', async () => {
    const base = `/c/${DEPARTMENT}?category=${JACKETS}&category=${SHIRTS}`;
    const before = checkboxes((await view(base)).html);
    const priceBoxes = before.filter((box) => box.href.includes('priceRange='));
    expect(priceBoxes.length).toBeGreaterThan(0);
    // The cheapest range that holds something; ticking it keeps the two categories.
    const range = priceBoxes[0];
    expect(range.href).toMatch(/^\/c\/men\?category=men-jackets&category=men-shirts&priceRange=/);
    const key = new URL(range.href, urls.varnish).searchParams.get('priceRange')!;

    const narrowed = await view(range.href);
    expect(shownTotal(narrowed)).toBe(range.count);
    const after = checkboxes(narrowed.html);
    // Price ranges: the same counts as before the tick, this one ticked.
    for (const box of priceBoxes) {
      const now = after.find((candidate) => candidate.label === box.label);
      expect(now).toMatchObject({ count: box.count, checked: box === range });
    }
    // Categories: counted within the ticked range, as the catalog counts them.
    const expected = await catalog(`category=${DEPARTMENT}&priceRange=${encodeURIComponent(key)}`);
    for (const slug of [SHIRTS, JACKETS]) {
      const bucket = expected.aggregations.categories.find((candidate) => candidate.key === slug);
      const box = after.find((candidate) => candidate.label === names.get(slug));
      if (bucket && bucket.count > 0) {
        expect(box).toMatchObject({ checked: true, count: bucket.count });
      } else {
        // Nothing left in the range, but ticked: still listed so it can be unticked.
        expect(box).toMatchObject({ checked: true, count: 0 });
      }
    }
    const shirtsBefore = categoryBox(before, SHIRTS, names.get(SHIRTS)!).count ?? 0;
    const shirtsAfter = categoryBox(after, SHIRTS, names.get(SHIRTS)!).count ?? 0;
    expect(shirtsAfter).toBeLessThanOrEqual(shirtsBefore);
  });

  it('keeps listing pages cacheable under their tags: a HIT, and a MISS after a category purge', async () => {
    const path = `/c/${DEPARTMENT}?category=${SHIRTS}&sort=price_asc`;
    await view(path);
    const again = await view(path);
    expect(again.cache).toBe('HIT');
    // Parameters in another order are the same cached page (Varnish sorts the query).
    expect((await view(`/c/${DEPARTMENT}?sort=price_asc&category=${SHIRTS}`)).cache).toBe('HIT');
    expect((await purgeTags({ hard: [`category-${DEPARTMENT}`] })).status).toBe(200);
    expect((await view(path)).cache).toBe('MISS');
    expect((await view(path)).cache).toBe('HIT');
  });

  it('labels the search page facets with category names and ticks several at once', async () => {
    const expected = await catalog(`q=shirt&category=${SHIRTS}&size=1`);
    const page = await view(`/search?q=shirt&category=${SHIRTS}`);
    expect(shownTotal(page)).toBe(expected.total);
    const boxes = checkboxes(page.html);
    const shirts = categoryBox(boxes, SHIRTS, names.get(SHIRTS)!);
    expect(shirts).toMatchObject({ checked: true, href: '/search?q=shirt' });
    for (const bucket of expected.aggregations.categories.filter((b) => b.count > 0)) {
      // An unticked category's link adds it next to the ticked one (names may repeat across
      // departments, "Knitwear"; links do not).
      const href = bucket.selected
        ? '/search?q=shirt'
        : `/search?${[bucket.key, SHIRTS]
            .sort()
            .map((slug) => `category=${slug}`)
            .join('&')}&q=shirt`;
      expect(boxes.find((box) => box.href === href)).toEqual({
        href,
        checked: bucket.selected,
        label: bucket.label,
        count: bucket.count,
      });
    }
  });

  it('answers a 400 page for a ticked category outside the department or a bad price range', async () => {
    for (const path of [
      `/c/${DEPARTMENT}?category=women-dresses`,
      `/c/${DEPARTMENT}?priceRange=x`,
    ]) {
      const page = await viewPage(path);
      expect({ path, status: page.status }).toEqual({ path, status: 400 });
    }
  });

  it("documents the facet parameters in the catalog API's OpenAPI", async () => {
    const docs = await requestJson<{
      paths: Record<string, { get?: { parameters?: { name: string; description?: string }[] } }>;
    }>(`${urls.catalog}/docs-json`);
    expect(docs.status).toBe(200);
    const parameters = docs.body.paths['/products']?.get?.parameters ?? [];
    const described = (name: string): string =>
      parameters.find((parameter) => parameter.name === name)?.description ?? '';
    expect(described('category')).toMatch(/OR/);
    expect(described('excludeCategory')).toMatch(/leave out/);
    expect(described('priceRange')).toMatch(/price facet/);
  });

  describe('one Elasticsearch request per listing', () => {
    let proxy: Awaited<ReturnType<typeof startCountingProxy>> | undefined;
    let counted: AppInstance | undefined;

    beforeAll(async () => {
      proxy = await startCountingProxy(urls.elasticsearch);
      counted = await startAppInstance('catalog-api', 'CATALOG_API_PORT', COUNTED_CATALOG_PORT, {
        ELASTICSEARCH_URL: proxy.url,
      });
    });

    afterAll(async () => {
      await counted?.stop('SIGTERM');
      await new Promise((resolve) => proxy?.server.close(resolve));
    });

    it('answers hits, both facets and the statistics of a multi-select listing with one search', async () => {
      const params =
        `q=shirt&category=${SHIRTS}&category=${JACKETS}&priceRange=25-50&priceRange=50-100` +
        '&excludeCategory=gifts-for-him&inStock=true&sort=price_asc';
      const before = proxy!.requests.length;
      const answer = await requestJson<ProductSearchResult>(`${counted!.url}/products?${params}`);
      const during = proxy!.requests.slice(before);
      expect(answer.status).toBe(200);
      expect(during.filter((line) => line.includes('/_search'))).toHaveLength(1);
      expect(during).toHaveLength(1);
      // The same answer as the stack's own catalog API gives, facets and all.
      expect(answer.body).toEqual(await catalog(params));
      expect(answer.body.aggregations.categories.filter((bucket) => bucket.selected)).toHaveLength(
        2,
      );
    });
  });
});
