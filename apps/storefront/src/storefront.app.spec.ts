import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { parseShopConfig, SHOP_CONFIG } from '@shop/config';
import { CategoryNode, Product, ProductSearchResult, StockLevel } from '@shop/contracts';
import { configureShopApp } from '@shop/http';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { StorefrontModule } from './storefront.module';

/**
 * The storefront booted for real (Nest + Fastify, templates from disk) against a tiny fake peer
 * that plays both catalog-api and stock-api over HTTP.
 */
class FakePeers {
  readonly products = new Map<number, Product>();
  readonly stock = new Map<number, number>();
  readonly categories: CategoryNode[] = [
    {
      slug: 'shoes',
      name: 'Shoes',
      children: [{ slug: 'boots', name: 'Boots & Wellies', children: [] }],
    },
    { slug: 'hats', name: 'Hats', children: [] },
  ];
  catalogDown = false;
  readonly searches: URLSearchParams[] = [];
  private server?: Server;

  add(product: Pick<Product, 'id' | 'name' | 'price'> & Partial<Product>, stock?: number): void {
    this.products.set(product.id, {
      sku: `SKU-${product.id}`,
      description: 'A fine thing.',
      categories: ['boots'],
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
      ...product,
    });
    if (stock !== undefined) this.stock.set(product.id, stock);
  }

  private searchResult(params: URLSearchParams): ProductSearchResult {
    const category = params.get('category');
    const q = params.get('q')?.toLowerCase();
    const matching = [...this.products.values()].filter(
      (product) =>
        (!category || product.categories.includes(category)) &&
        (!q || product.name.toLowerCase().includes(q)),
    );
    const page = Number(params.get('page') ?? '1');
    const size = Number(params.get('size') ?? '12');
    return {
      items: matching
        .slice((page - 1) * size, page * size)
        .map((product) => ({ ...product, inStock: (this.stock.get(product.id) ?? 0) > 0 })),
      // Pretend the category is big so that pagination shows.
      total: category ? 100 : matching.length,
      page,
      size,
      aggregations: {
        avgPrice: 20,
        minPrice: 10,
        maxPrice: 30,
        categories: [{ key: 'boots', count: matching.length }],
        priceRanges: [
          { from: null, to: 25, count: 2 },
          { from: 25, to: null, count: 1 },
        ],
      },
    };
  }

  private answer(path: string, params: URLSearchParams): [number, unknown] {
    const stockMatch = /^\/products\/(\d+)\/stock$/.exec(path);
    if (stockMatch) {
      const id = Number(stockMatch[1]);
      const stock = this.stock.get(id);
      if (stock === undefined)
        return [404, { statusCode: 404, error: 'Not Found', message: 'unknown' }];
      const level: StockLevel = { id, stock, version: 3, updatedAt: '2024-01-01T00:00:00.000Z' };
      return [200, level];
    }
    if (path === '/health') return this.catalogDown ? [503, {}] : [200, { status: 'ok' }];
    if (this.catalogDown)
      return [503, { statusCode: 503, error: 'Service Unavailable', message: 'es down' }];
    if (path === '/categories') return [200, this.categories];
    if (path === '/products') {
      this.searches.push(params);
      return [200, this.searchResult(params)];
    }
    const productMatch = /^\/products\/(\d+)$/.exec(path);
    if (productMatch) {
      const product = this.products.get(Number(productMatch[1]));
      return product
        ? [200, product]
        : [404, { statusCode: 404, error: 'Not Found', message: 'nope' }];
    }
    return [404, {}];
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://peer');
      const [status, body] = this.answer(url.pathname, url.searchParams);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const THROUGH_VARNISH = { 'surrogate-capability': 'varnish="ESI/1.0"' };

describe('storefront app', () => {
  const peers = new FakePeers();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    peers.add({ id: 1, name: 'Trail Boot', price: 19.99, description: 'Waterproof.\nGrippy.' }, 7);
    peers.add({ id: 2, name: 'Sold-out Welly', price: 30 }, 0);
    peers.add({ id: 3, name: '<script>alert("x")</script> Boot', price: 5 }, 1);
    const peerUrl = await peers.start();
    const config = parseShopConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      CATALOG_API_URL: peerUrl,
      STOCK_API_URL: peerUrl,
    });
    const moduleRef = await Test.createTestingModule({ imports: [StorefrontModule] })
      .overrideProvider(SHOP_CONFIG)
      .useValue(config)
      .compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    configureShopApp(app, { port: (shopConfig) => shopConfig.STOREFRONT_PORT });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    await peers.stop();
  });

  afterEach(() => {
    peers.catalogDown = false;
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });

  describe('through Varnish (Surrogate-Capability: ESI/1.0)', () => {
    it('serves a product page shell with include tags, an hour under its tag', async () => {
      const response = await get('/p/1', THROUGH_VARNISH);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", max-age=3600');
      expect(response.headers['xkey']).toBe('product-1');
      expect(response.headers['cache-control']).toBe('private, no-cache');
      for (const fragment of ['menu', 'header', 'footer', 'stock/1']) {
        expect(response.body).toContain(`<esi:include src="/fragments/${fragment}"/>`);
      }
      expect(response.body).toContain('<h1 data-testid="product-name">Trail Boot</h1>');
      expect(response.body).toContain('<p class="price" data-testid="product-price">$19.99</p>');
      expect(response.body).toContain('href="/c/boots">Boots &amp; Wellies</a>');
      // The fragments are Varnish's to fetch: nothing of them is in the shell.
      expect(response.body).not.toContain('In stock');
      expect(response.body).not.toContain('data-testid="menu"');
    });

    it('serves a category listing with listing-level tags and a stock include per tile', async () => {
      const response = await get('/c/boots?page=2', THROUGH_VARNISH);
      expect(response.statusCode).toBe(200);
      expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", max-age=300');
      expect(response.headers['xkey']).toBe('listing category-boots');
      expect(response.headers['cache-control']).toBe('private, no-cache');
      expect(peers.searches.at(-1)?.toString()).toBe('category=boots&page=2&size=12');
      expect(response.body).toContain(
        '<title>Boots &amp; Wellies – page 2 · Beyond LAMP Shop</title>',
      );
      expect(response.body).toContain('href="/c/boots?maxPrice=24.99">Under $25</a>');
      expect(response.body).toContain('<a href="/c/boots?page=3" rel="next">');
      expect(response.body).toContain('<a href="/c/boots" rel="prev">');
    });

    it('lists stock badges per product on the first page', async () => {
      const response = await get('/c/boots', THROUGH_VARNISH);
      for (const id of [1, 2, 3]) {
        expect(response.body).toContain(`<esi:include src="/fragments/stock/${id}"/>`);
      }
    });

    it('serves the home page and search as listings', async () => {
      const home = await get('/', THROUGH_VARNISH);
      expect(home.statusCode).toBe(200);
      expect(home.headers['xkey']).toBe('listing');
      expect(home.body).toContain('href="/p/1">Trail Boot</a>');
      expect(peers.searches.some((params) => params.get('sort') === 'newest')).toBe(true);

      const search = await get('/search?q=boot&category=boots', THROUGH_VARNISH);
      expect(search.statusCode).toBe(200);
      expect(search.headers['xkey']).toBe('listing');
      expect(search.headers['surrogate-control']).toBe('content="ESI/1.0", max-age=300');
      expect(search.body).toContain('value="boot"');
      expect(search.body).toContain('Results for “boot”');
      expect(search.body).toContain('href="/search?q=boot" class="active"');
    });

    it('caches a product 404 briefly, tagged so that creating the product purges it', async () => {
      const response = await get('/p/999', THROUGH_VARNISH);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", max-age=60');
      expect(response.headers['xkey']).toBe('product-999');
      expect(response.body).toContain('There is no product 999');
    });
  });

  describe('directly (no Surrogate-Capability)', () => {
    it('renders the whole page with the fragments inline, and lets nobody store it', async () => {
      const response = await get('/p/1', { cookie: 'cart=%7B%22count%22%3A3%7D; user=Ada' });
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain('<esi:');
      expect(response.body).toContain(
        '<span class="stock stock--in-stock" data-testid="stock-badge">In stock (7)</span>',
      );
      expect(response.body).toContain('href="/c/shoes">Shoes</a>');
      expect(response.body).toContain('Hello, Ada');
      expect(response.body).toContain('Cart (3)');
      expect(response.body).toContain('class="site-footer"');
      expect(response.headers['cache-control']).toBe('private, no-store');
      expect(response.headers['surrogate-control']).toBe('no-store');
      expect(response.headers['xkey']).toBeUndefined();
    });

    it('shows out-of-stock badges inline on a listing', async () => {
      const response = await get('/c/boots');
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('In stock (7)');
      expect(response.body).toContain('Out of stock');
      expect(response.body).not.toContain('<esi:');
    });
  });

  it('escapes a product name with markup everywhere it shows', async () => {
    const page = await get('/p/3');
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Boot');
    const listing = await get('/search?q=script');
    expect(listing.body).not.toContain('<script>');
    expect(listing.body).toContain('&lt;script&gt;');
    const search = await get(`/search?q=${encodeURIComponent('"><script>x</script>')}`);
    expect(search.body).not.toContain('<script>');
  });

  describe('fragments', () => {
    it('never lets the header be cached, and escapes the visitor name', async () => {
      const response = await get('/fragments/header', {
        cookie: `user=${encodeURIComponent('<img src=x onerror=alert(1)>')}; cart=2`,
        ...THROUGH_VARNISH,
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('private, no-store');
      expect(response.headers['surrogate-control']).toBe('no-store');
      expect(response.headers['surrogate-control']).not.toMatch(/max-age/);
      expect(response.headers['xkey']).toBeUndefined();
      expect(response.body).toContain('Hello, &lt;img src=x onerror=alert(1)&gt;');
      expect(response.body).toContain('Cart (2)');
      const anonymous = await get('/fragments/header');
      expect(anonymous.body).toContain('Welcome, guest');
      expect(anonymous.body).toContain('Cart (0)');
    });

    it('caches the menu and the footer a day', async () => {
      const menu = await get('/fragments/menu');
      expect(menu.statusCode).toBe(200);
      expect(menu.headers['surrogate-control']).toBe('max-age=86400');
      expect(menu.headers['xkey']).toBe('menu');
      expect(menu.body).toContain('<a href="/c/boots">Boots &amp; Wellies</a>');
      const footer = await get('/fragments/footer');
      expect(footer.headers['surrogate-control']).toBe('max-age=86400');
      expect(footer.body).toContain('class="site-footer"');
    });

    it('answers stock badges under their stock tag for a short while', async () => {
      const inStock = await get('/fragments/stock/1');
      expect(inStock.statusCode).toBe(200);
      expect(inStock.headers['surrogate-control']).toBe('max-age=60');
      expect(inStock.headers['xkey']).toBe('stock-1');
      expect(inStock.body).toContain('In stock (7)');
      expect((await get('/fragments/stock/2')).body).toContain('Out of stock');
    });

    it('answers 404 for the badge of a product the stock API does not know, never stored', async () => {
      const unknown = await get('/fragments/stock/404', THROUGH_VARNISH);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.headers['surrogate-control']).toBe('no-store');
      expect(unknown.headers['xkey']).toBeUndefined();
      // Where a page includes it, it still reads sensibly.
      expect(unknown.body).toContain('Out of stock');
    });

    it('answers 400 for a stock badge id that is not digits', async () => {
      for (const id of ['abc', '1e3', '0x10', '+1', '%201', '0', '4294967296']) {
        const response = await get(`/fragments/stock/${id}`);
        expect({ id, status: response.statusCode }).toEqual({ id, status: 400 });
        expect(response.headers['surrogate-control']).toBe('no-store');
        expect(response.body).toBe('<!-- not a product id -->');
      }
    });

    it('answers 503 and is never stored when the menu cannot be built', async () => {
      peers.catalogDown = true;
      const menu = await get('/fragments/menu');
      expect(menu.statusCode).toBe(503);
      expect(menu.headers['surrogate-control']).toBe('no-store');
      expect(menu.headers['xkey']).toBeUndefined();
      expect(menu.body).toContain('<nav class="menu"');
    });
  });

  describe('bad input and failures', () => {
    it('answers 404 pages for ids and slugs that name nothing', async () => {
      for (const url of ['/p/999', '/c/nope', '/c/NOT_A_SLUG']) {
        const response = await get(url);
        expect({ url, status: response.statusCode }).toEqual({ url, status: 404 });
        expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(response.body).toContain('Page not found');
      }
    });

    it('answers 400 pages for bad paging, sorting, prices and over-long searches', async () => {
      for (const url of [
        '/c/boots?page=0',
        '/c/boots?page=x',
        '/c/boots?sort=cheap',
        '/c/boots?minPrice=9&maxPrice=1',
        `/search?q=${'a'.repeat(201)}`,
      ]) {
        const response = await get(url, THROUGH_VARNISH);
        expect({ url, status: response.statusCode }).toEqual({ url, status: 400 });
        expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", no-store');
        expect(response.body).toContain('That request does not look right');
      }
    });

    it('answers 400 pages naming the parameter for product ids that are not digits', async () => {
      for (const url of [
        '/p/abc',
        '/p/0',
        '/p/0x1',
        '/p/1e3',
        '/p/+1',
        '/p/%201',
        '/p/4294967296',
      ]) {
        const response = await get(url, THROUGH_VARNISH);
        expect({ url, status: response.statusCode }).toEqual({ url, status: 400 });
        expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", no-store');
        expect(response.body).toContain('id must be a product id');
      }
      // `/p/0x1` must not have shown product 1.
      expect((await get('/p/0x1')).body).not.toContain('Trail Boot');
    });

    it('answers an HTML 404 page, kept a minute, for any path no route serves', async () => {
      for (const url of ['/no-such-page', '/p/1/extra', '/fragments/nope', '/favicon.ico']) {
        const response = await get(url, THROUGH_VARNISH);
        expect({ url, status: response.statusCode }).toEqual({ url, status: 404 });
        expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", max-age=60');
        expect(response.body).toContain('Page not found');
        expect(response.body).toContain('There is no such page');
      }
    });

    it('greets an empty search with a friendly page', async () => {
      const response = await get('/search?q=%20');
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('What are you looking for?');
    });

    it('answers a 503 page, not a stack trace, when the catalog is down', async () => {
      peers.catalogDown = true;
      const response = await get('/p/1');
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['retry-after']).toBe('30');
      expect(response.headers['cache-control']).toBe('private, no-store');
      expect(response.body).toContain('We will be right back');
      expect(response.body).not.toMatch(/at \w+ \(|Error:|es down/);
    });
  });

  describe('/health', () => {
    it('is up while both peers answer', async () => {
      const response = await get('/health');
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toMatch(/no-store/);
      expect(response.json()).toMatchObject({
        status: 'ok',
        info: { 'catalog-api': { status: 'up' }, 'stock-api': { status: 'up' } },
      });
    });

    it('is 503 when a peer does not answer', async () => {
      peers.catalogDown = true;
      expect((await get('/health')).statusCode).toBe(503);
    });
  });
});
