import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../../../test/support/eventually';
import { cacheHeaders, CachePolicy, type CacheHeaders } from './cache-headers';
import { LISTING_TAG, productTag, stockTag } from './cache-tags';
import { startVarnish, type VarnishInstance } from './testing/varnishd';
import { VarnishPurger } from './varnish-purger';

/**
 * The purger and the header helpers against the real varnishd running varnish/default.vcl: a
 * small origin answers with `cacheHeaders(...)`, the purger purges by the tags it set.
 */
describe('VarnishPurger against varnishd', () => {
  let origin: Server;
  let varnishes: VarnishInstance[] = [];
  /** Bumped to tell a fresh fetch from a cached copy. */
  const versions = new Map<string, number>();
  const fetches = new Map<string, number>();

  const bump = (path: string): void => {
    versions.set(path, (versions.get(path) ?? 1) + 1);
  };

  beforeAll(async () => {
    origin = createServer((req, res) => {
      const path = req.url ?? '/';
      fetches.set(path, (fetches.get(path) ?? 0) + 1);
      const version = versions.get(path) ?? 1;
      let headers: CacheHeaders;
      let body: string;
      let match: RegExpExecArray | null;
      if ((match = /^\/p\/(\d+)$/.exec(path))) {
        const id = Number(match[1]);
        headers = cacheHeaders({ ...CachePolicy.product, esi: true, tags: [productTag(id)] });
        body = `<html><h1>product ${id} v${version}</h1><esi:include src="/fragments/stock/${id}"/></html>`;
      } else if ((match = /^\/fragments\/stock\/(\d+)$/.exec(path))) {
        const id = Number(match[1]);
        headers = cacheHeaders({ ...CachePolicy.stock, tags: [stockTag(id)] });
        body = `<b>stock ${id} v${version}</b>`;
      } else if (path === '/c/shoes') {
        headers = cacheHeaders({ ...CachePolicy.listing, tags: [LISTING_TAG] });
        body = `shoes v${version}`;
      } else {
        res.writeHead(404, cacheHeaders(CachePolicy.uncacheable));
        res.end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html', ...headers });
      res.end(body);
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const port = (origin.address() as AddressInfo).port;
    // Two Varnish hosts, as VARNISH_PURGE_URLS may list several.
    for (let i = 0; i < 2; i++) {
      varnishes.push(await startVarnish({ storefront: port, catalogApi: port, stockApi: port }));
    }
  });

  afterAll(async () => {
    await Promise.all(varnishes.map((v) => v.stop()));
    varnishes = [];
    await new Promise<void>((resolve) => origin?.close(() => resolve()) ?? resolve());
  });

  const get = async (
    varnish: VarnishInstance,
    path: string,
  ): Promise<{ body: string; cache: string | null; stale: string | null }> => {
    const response = await fetch(`${varnish.url}${path}`);
    return {
      body: await response.text(),
      cache: response.headers.get('x-cache'),
      stale: response.headers.get('x-cache-stale'),
    };
  };

  const purger = (): VarnishPurger =>
    new VarnishPurger({ urls: varnishes.map((v) => v.url), logger: { warn: () => undefined } });

  it('assembles the page from its fragments and hides the tags', async () => {
    const [v] = varnishes;
    const response = await fetch(`${v.url}/p/1`);
    const body = await response.text();
    expect(body).toBe('<html><h1>product 1 v1</h1><b>stock 1 v1</b></html>');
    expect(response.headers.get('xkey')).toBeNull();
    expect(response.headers.get('surrogate-control')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    expect((await get(v, '/p/1')).cache).toBe('HIT');
  });

  it('hard-purges a stock change on every host: the next view shows the new figure', async () => {
    for (const v of varnishes) await get(v, '/p/2');
    for (const v of varnishes) expect((await get(v, '/p/2')).cache).toBe('HIT');
    bump('/fragments/stock/2');

    const result = await purger().purge({ hard: [stockTag(2)], soft: [] });

    expect(result.hosts.map((h) => h.purged)).toEqual([1, 1]);
    expect(result.purged).toBe(2);
    for (const v of varnishes) {
      const page = await get(v, '/p/2');
      expect(page.cache).toBe('HIT'); // the page shell stays cached
      expect(page.body).toBe('<html><h1>product 2 v1</h1><b>stock 2 v2</b></html>');
    }
  });

  it('soft-purges listings: the old copy once, then the refreshed one', async () => {
    const [v] = varnishes;
    await get(v, '/c/shoes');
    bump('/c/shoes');
    const before = fetches.get('/c/shoes') ?? 0;

    const result = await new VarnishPurger({ urls: [v.url] }).purgeTags([LISTING_TAG], 'soft');
    expect(result.purged).toBe(1);

    const stale = await get(v, '/c/shoes');
    expect(stale).toMatchObject({ body: 'shoes v1', cache: 'HIT', stale: '1' });
    // the background refresh has been asked for; wait for its object
    const fresh = await eventually(
      async () => {
        const answer = await get(v, '/c/shoes');
        return answer.body === 'shoes v2' ? answer : undefined;
      },
      { what: 'the refreshed object', timeoutMs: 5000, intervalMs: 100 },
    );
    expect(fresh).toMatchObject({ body: 'shoes v2', cache: 'HIT', stale: null });
    expect(fetches.get('/c/shoes')).toBe(before + 1);
  });

  it('purges hundreds of tags in a few bounded requests', async () => {
    const [v] = varnishes;
    const ids = [211, 212, 213];
    for (const id of ids) await get(v, `/fragments/stock/${id}`);
    const tags = Array.from({ length: 400 }, (_, i) => stockTag(i + 101));

    const result = await new VarnishPurger({ urls: [v.url], maxHeaderBytes: 512 }).purgeTags(tags);

    expect(result.hosts[0].requests).toBeGreaterThan(1);
    expect(result.purged).toBe(ids.length);
    for (const id of ids) expect((await get(v, `/fragments/stock/${id}`)).cache).toBe('MISS');
  });
});
