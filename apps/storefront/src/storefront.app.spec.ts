import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseShopConfig } from '@shop/config';
import {
  CategoryNode,
  OrderStatus,
  OrderView,
  Product,
  ProductSearchResult,
  StockLevel,
} from '@shop/contracts';
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notifyResultText } from '@shop/storefront';
import { LiveAssets } from './assets/live-assets';
import { StorefrontModule } from './storefront.module';
import { startInProcessApp } from '../../../test/support/in-process-app';

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
  /** `GET /categories` alone fails (the menu is built from it). */
  categoriesDown = false;
  /** Stock reads fail (the badges are built from them). */
  stockDown = false;
  readonly searches: URLSearchParams[] = [];
  private server?: Server;

  // The cart API (stock-api), as far as the shopping pages use it.
  readonly carts = new Map<
    string,
    { status: 'open' | 'ordered'; lines: Map<number, number>; orderId?: string }
  >();
  readonly orders = new Map<string, OrderView>();
  /** Idempotency-Key → order id. */
  readonly checkoutKeys = new Map<string, string>();
  readonly checkoutCalls: { cartId: string; key: string | undefined }[] = [];
  /** Milliseconds GET /carts/:id takes (the header must not wait for a slow cart API). */
  cartReadDelayMs = 0;

  // Back-in-stock sign-ups (stock-api), with its rules: a JSON number id of a sold-out product.
  /** Every body POST /notifications/back-in-stock got, with its content type. */
  readonly signupCalls: { contentType: string | undefined; body: unknown }[] = [];
  /** `<productId> <email>` of each subscription. */
  readonly subscriptions = new Set<string>();
  signupsDown = false;

  private notificationsApi(
    method: string,
    path: string,
    body: Record<string, unknown>,
  ): [number, unknown] | undefined {
    if (method !== 'POST' || path !== '/notifications/back-in-stock') return undefined;
    if (this.signupsDown) {
      return [503, { statusCode: 503, error: 'Service Unavailable', message: 'mysql down' }];
    }
    const { productId, email } = body;
    const refused = (message: string): [number, unknown] => [
      400,
      { statusCode: 400, error: 'Bad Request', message },
    ];
    if (!Number.isInteger(productId) || (productId as number) < 1) {
      return refused('productId must be a product id (an integer from 1 to 4294967295)');
    }
    if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      return refused('email must be an email address');
    }
    const id = productId as number;
    if (!this.products.has(id)) {
      return [404, { statusCode: 404, error: 'Not Found', message: `Product ${id} not found` }];
    }
    const stock = this.stock.get(id) ?? 0;
    if (stock > 0) {
      return [409, { statusCode: 409, error: 'Conflict', message: `in stock (${stock} left)` }];
    }
    const key = `${id} ${email.trim().toLowerCase()}`;
    const created = !this.subscriptions.has(key);
    this.subscriptions.add(key);
    const view = { id: 1, productId: id, email, status: 'pending' };
    return [created ? 201 : 200, view];
  }

  private cartView(id: string): unknown {
    const cart = this.carts.get(id);
    if (!cart) return undefined;
    const items = [...cart.lines].map(([productId, quantity]) => {
      const price = this.products.get(productId)?.price ?? 0;
      return {
        productId,
        name: this.products.get(productId)?.name ?? '?',
        unitPrice: price,
        quantity,
        lineTotal: Math.round(price * quantity * 100) / 100,
      };
    });
    const total = Math.round(items.reduce((sum, line) => sum + line.lineTotal * 100, 0)) / 100;
    return {
      id,
      status: cart.status,
      items,
      totals: { quantity: items.reduce((sum, l) => sum + l.quantity, 0), subtotal: total, total },
      expiresAt: '2030-01-01T10:15:00.000Z',
      ...(cart.orderId ? { orderId: cart.orderId } : {}),
    };
  }

  /** A cart with these lines, as if the shopper had added them; returns its id. */
  addCart(lines: [number, number][] = []): string {
    const id = randomBytes(16).toString('hex');
    this.carts.set(id, { status: 'open', lines: new Map(lines) });
    return id;
  }

  /** The cart API's answer to a line it cannot hold; undefined when it can. */
  private lineRefusal(productId: number, quantity: number): [number, unknown] | undefined {
    if (!this.products.has(productId)) {
      return [404, { statusCode: 404, message: `Product ${productId} does not exist` }];
    }
    const stock = this.stock.get(productId) ?? 0;
    if (quantity <= stock) return undefined;
    return [
      409,
      {
        statusCode: 409,
        error: 'Conflict',
        message: `Not enough stock: product ${productId}: ${stock} left, ${quantity} wanted`,
      },
    ];
  }

  private cartApi(
    method: string,
    path: string,
    body: Record<string, unknown>,
    key: string | undefined,
  ): [number, unknown] | undefined {
    const notFound: [number, unknown] = [
      404,
      { statusCode: 404, error: 'Not Found', message: 'No such cart' },
    ];
    if (method === 'POST' && path === '/carts') {
      // With a body, the cart is made with that line held, or not at all.
      if (body.productId === undefined) return [201, this.cartView(this.addCart())];
      const line: [number, number] = [Number(body.productId), Number(body.quantity)];
      return this.lineRefusal(...line) ?? [201, this.cartView(this.addCart([line]))];
    }
    const order = /^\/orders\/([0-9a-f]{32})$/.exec(path);
    if (order && method === 'GET') {
      const view = this.orders.get(order[1]);
      return view
        ? [200, view]
        : [404, { statusCode: 404, error: 'Not Found', message: 'No such order' }];
    }
    const match = /^\/carts\/([^/]+)(?:\/items\/(\d+)|\/(checkout))?$/.exec(path);
    if (!match) return undefined;
    const cart = this.carts.get(match[1]);
    if (!cart) return notFound;
    if (method === 'GET' && !match[2] && !match[3]) return [200, this.cartView(match[1])];
    if (match[2]) {
      const productId = Number(match[2]);
      if (cart.status !== 'open') return [409, { statusCode: 409, message: 'checked out' }];
      const quantity = method === 'DELETE' ? 0 : Number(body.quantity);
      if (method === 'DELETE' && !cart.lines.has(productId)) {
        return [404, { statusCode: 404, message: `The cart has no line for product ${productId}` }];
      }
      const refusal = quantity > 0 ? this.lineRefusal(productId, quantity) : undefined;
      if (refusal) return refusal;
      if (quantity === 0) cart.lines.delete(productId);
      else cart.lines.set(productId, quantity);
      return [200, this.cartView(match[1])];
    }
    // Checkout.
    this.checkoutCalls.push({ cartId: match[1], key });
    if (!key) return [400, { statusCode: 400, message: 'Idempotency-Key header is required' }];
    const address = body.shippingAddress as Record<string, string> | undefined;
    if (address?.country === 'XX') {
      return [
        400,
        {
          statusCode: 400,
          message: 'shippingAddress.country must be an ISO 3166-1 alpha-2 code such as GB',
        },
      ];
    }
    const known = this.checkoutKeys.get(key);
    if (known) return [202, { orderId: known, status: 'pending' }];
    if (cart.status === 'ordered') return [409, { statusCode: 409, message: 'checked out' }];
    const orderId = randomBytes(16).toString('hex');
    const view = this.cartView(match[1]) as {
      items: OrderView['lines'];
      totals: OrderView['totals'];
    };
    this.orders.set(orderId, {
      id: orderId,
      status: 'pending',
      email: String(body.email),
      shippingAddress: address as unknown as OrderView['shippingAddress'],
      lines: view.items,
      totals: view.totals,
      placedAt: '2030-01-01T10:00:00.000Z',
    });
    this.checkoutKeys.set(key, orderId);
    cart.status = 'ordered';
    cart.orderId = orderId;
    return [202, { orderId, status: 'pending' }];
  }

  setOrderStatus(id: string, status: OrderStatus): void {
    const order = this.orders.get(id);
    if (order) this.orders.set(id, { ...order, status });
  }

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
    const categories = params.getAll('category');
    const category = categories.length > 0;
    const q = params.get('q')?.toLowerCase();
    const matching = [...this.products.values()].filter(
      (product) =>
        (!category || product.categories.some((slug) => categories.includes(slug))) &&
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
        categories: [
          {
            key: 'boots',
            label: 'Boots & Wellies',
            count: matching.length,
            selected: categories.includes('boots'),
          },
        ],
        priceRanges: [
          { key: '*-25', from: null, to: 25, count: 2, selected: false },
          { key: '25-*', from: 25, to: null, count: 1, selected: true },
        ],
      },
    };
  }

  private answer(path: string, params: URLSearchParams): [number, unknown] {
    const stockMatch = /^\/products\/(\d+)\/stock$/.exec(path);
    if (stockMatch) {
      if (this.stockDown) return [503, { statusCode: 503, message: 'redis down' }];
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
    if (path === '/categories') {
      return this.categoriesDown
        ? [503, { statusCode: 503, message: 'down' }]
        : [200, this.categories];
    }
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

  private async handle(request: IncomingMessage): Promise<[number, unknown]> {
    const url = new URL(request.url ?? '/', 'http://peer');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const key = request.headers['idempotency-key'];
    const method = request.method ?? 'GET';
    if (url.pathname === '/notifications/back-in-stock') {
      this.signupCalls.push({ contentType: request.headers['content-type'], body });
    }
    if (method === 'GET' && url.pathname.startsWith('/carts/') && this.cartReadDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.cartReadDelayMs).unref());
    }
    return (
      this.notificationsApi(method, url.pathname, body) ??
      this.cartApi(method, url.pathname, body, typeof key === 'string' ? key : undefined) ??
      this.answer(url.pathname, url.searchParams)
    );
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(([status, body]) => {
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(body));
      });
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
  let assetsDir: string;

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
    // The browser script as `npm run build` compiles it (tsconfig.assets.json), into a folder of
    // this run's own: under ts-jest there is no dist/.
    assetsDir = mkdtempSync(join(tmpdir(), 'storefront-assets-'));
    const root = join(__dirname, '..', '..', '..');
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.assets.json', '--outDir', assetsDir],
      { cwd: root, stdio: 'inherit' },
    );
    app = await startInProcessApp(
      StorefrontModule,
      config,
      { port: (shopConfig) => shopConfig.STOREFRONT_PORT },
      [{ provide: LiveAssets, useValue: LiveAssets.load(assetsDir) }],
    );
  });

  afterAll(async () => {
    await app.close();
    await peers.stop();
    rmSync(assetsDir, { recursive: true, force: true });
  });

  afterEach(() => {
    peers.catalogDown = false;
    peers.categoriesDown = false;
    peers.stockDown = false;
    peers.cartReadDelayMs = 0;
    peers.signupsDown = false;
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });

  /** The shop's outage page: HTML, Retry-After, stored nowhere, nothing of the failure shown. */
  const expectOutagePage = (response: Awaited<ReturnType<typeof get>>, detail: string): void => {
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['retry-after']).toBe('30');
    expect(response.headers['cache-control']).toBe('private, no-store');
    expect(response.body).toContain('We will be right back');
    expect(response.body).not.toMatch(/at \w+ \(|Error:/);
    expect(response.body).not.toContain(detail);
  };

  describe('through Varnish (Surrogate-Capability: ESI/1.0)', () => {
    it("serves a shoppers' product page: their header an include, the rest inside, an hour under its tags", async () => {
      const response = await get('/p/1', THROUGH_VARNISH);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", max-age=3600');
      // The fragments inside bring their tags: a menu change or new badge words purge the page.
      expect(response.headers['xkey']).toBe('product-1 footer menu stock-label-1');
      expect(response.headers['cache-control']).toBe('private, no-cache');
      expect(response.body.match(/<esi:include [^>]*>/g)).toEqual([
        '<esi:include src="/fragments/header"/>',
      ]);
      expect(response.body).toContain('<h1 data-testid="product-name">Trail Boot</h1>');
      expect(response.body).toContain('<p class="price" data-testid="product-price">$19.99</p>');
      expect(response.body).toContain('href="/c/boots">Boots &amp; Wellies</a>');
      expect(response.body).toContain('data-testid="menu"');
      expect(response.body).toContain('class="site-footer"');
      expect(response.body).toContain(
        'data-testid="stock-badge" data-stock="7">Only 7 left</span>',
      );
      // Nothing of one visitor: the header is Varnish's to fetch for each.
      expect(response.body).not.toContain('Welcome');
    });

    it('serves a category listing with listing-level tags alone', async () => {
      const response = await get('/c/boots?page=2', THROUGH_VARNISH);
      expect(response.statusCode).toBe(200);
      expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", max-age=300');
      expect(response.headers['xkey']).toBe('listing category-boots footer menu');
      expect(response.headers['cache-control']).toBe('private, no-cache');
      expect(peers.searches.at(-1)?.toString()).toBe('category=boots&page=2&size=12');
      expect(response.body).toContain(
        '<title>Boots &amp; Wellies – page 2 · Beyond LAMP Shop</title>',
      );
      // Facets are checkboxes made of links: each toggles its value in the URL.
      expect(response.body).toContain(
        '<a href="/c/boots?priceRange=*-25" role="checkbox" aria-checked="false"',
      );
      expect(response.body).toContain('<a href="/c/boots?page=3" rel="next">');
      expect(response.body).toContain('<a href="/c/boots" rel="prev">');
    });

    it('lists stock badges per product on the first page, inside the page', async () => {
      const response = await get('/c/boots', THROUGH_VARNISH);
      for (const id of [1, 2, 3]) {
        expect(response.body).toContain(`<div class="stock-badge" data-live-stock="${id}"`);
      }
      expect(response.body).not.toContain('<esi:include src="/fragments/stock/');
    });

    it('serves the home page and search as listings', async () => {
      const home = await get('/', THROUGH_VARNISH);
      expect(home.statusCode).toBe(200);
      expect(home.headers['xkey']).toBe('listing footer menu');
      expect(home.body).toContain('href="/p/1">Trail Boot</a>');
      expect(peers.searches.some((params) => params.get('sort') === 'newest')).toBe(true);

      const search = await get('/search?q=boot&category=boots', THROUGH_VARNISH);
      expect(search.statusCode).toBe(200);
      expect(search.headers['xkey']).toBe('listing footer menu');
      expect(search.headers['surrogate-control']).toBe('content="ESI/1.0", max-age=300');
      expect(search.body).toContain('value="boot"');
      expect(search.body).toContain('Results for “boot”');
      expect(search.body).toContain(
        '<a href="/search?q=boot" role="checkbox" aria-checked="true" class="facet-option checked"',
      );
      expect(search.body).toContain('Boots &amp; Wellies <span class="count">(');
    });

    it('for the anonymous audience, renders the shared fragments into the page and tags it with theirs', async () => {
      // Cookies never reach the storefront through Varnish; should one, the shared copy ignores it.
      const cartId = peers.addCart([[1, 3]]);
      const response = await get('/p/1', {
        ...THROUGH_VARNISH,
        'x-shop-audience': 'anonymous',
        cookie: `cart=${cartId}; user=Ada`,
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", max-age=3600');
      // The badge too, under the tag the stock consumer purges when what it says changes.
      expect(response.headers['xkey']).toBe('product-1 footer header-anonymous menu stock-label-1');
      expect(response.headers['cache-control']).toBe('private, no-cache');
      expect(response.body).toContain('data-testid="menu"');
      expect(response.body).toContain('class="site-footer"');
      expect(response.body).toContain('Welcome, guest');
      expect(response.body).toContain('Cart (0)');
      expect(response.body).not.toContain('Ada');
      expect(response.body).toContain(
        '<span class="stock stock--low-stock" data-testid="stock-badge" data-stock="7">Only 7 left</span>',
      );
      expect(response.body).not.toContain('<esi:');
    });

    it("renders a listing's badges into the anonymous copy, under its listing tags alone", async () => {
      const response = await get('/c/boots', {
        ...THROUGH_VARNISH,
        'x-shop-audience': 'anonymous',
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain('<esi:');
      expect(response.body).toContain(
        '<span class="stock stock--low-stock" data-testid="stock-badge" data-stock="7">Only 7 left</span>',
      );
      // No tag per product: the stock consumer soft-purges `listing` when a badge's words change.
      expect(response.headers['xkey']).toBe('listing category-boots footer header-anonymous menu');
    });

    it.each(['/p/1', '/c/boots'])(
      'stores no anonymous copy of %s whose badges could not be read',
      async (path) => {
        peers.stockDown = true;
        const response = await get(path, { ...THROUGH_VARNISH, 'x-shop-audience': 'anonymous' });
        expect(response.statusCode).toBe(200);
        expect(response.body).toContain('Stock unavailable');
        expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", no-store');
        expect(response.headers['xkey']).toBeUndefined();
      },
    );

    it.each(['anonymous', 'shopper'])(
      'stores no %s copy with a placeholder inside (a menu without categories)',
      async (audience) => {
        peers.categoriesDown = true;
        const response = await get('/search?q=boot', {
          ...THROUGH_VARNISH,
          'x-shop-audience': audience,
        });
        expect(response.statusCode).toBe(200);
        expect(response.body).toContain('data-testid="menu"');
        expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", no-store');
        expect(response.headers['xkey']).toBeUndefined();
      },
    );

    it('keeps the header an include for shoppers, and for any other audience value', async () => {
      for (const audience of ['shopper', 'Anonymous', '']) {
        const response = await get('/p/1', { ...THROUGH_VARNISH, 'x-shop-audience': audience });
        expect(response.headers['xkey']).toBe('product-1 footer menu stock-label-1');
        expect(response.body).toContain('<esi:include src="/fragments/header"/>');
        expect(response.body).not.toContain('Welcome');
      }
    });

    it('caches a product 404 briefly, tagged so that creating the product purges it', async () => {
      const response = await get('/p/999', THROUGH_VARNISH);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", max-age=60');
      expect(response.headers['xkey']).toBe('product-999 footer menu');
      expect(response.body).toContain('There is no product 999');
    });
  });

  describe('directly (no Surrogate-Capability)', () => {
    it('renders the whole page with the fragments inline, and lets nobody store it', async () => {
      const cartId = peers.addCart([[1, 3]]);
      const response = await get('/p/1', { cookie: `cart=${cartId}; user=Ada` });
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain('<esi:');
      // Below the threshold (10) the badge says how many are left; it names its product and
      // version for the live script, and hides the notify form while there is stock.
      expect(response.body).toContain(
        '<div class="stock-badge" data-live-stock="1" data-version="3" data-low-stock-below="10">',
      );
      expect(response.body).toContain(
        '<span class="stock stock--low-stock" data-testid="stock-badge" data-stock="7">Only 7 left</span>',
      );
      expect(response.body).toContain('data-testid="notify-form" hidden>');
      expect(response.body).toContain('href="/c/shoes">Shoes</a>');
      expect(response.body).toContain('Hello, Ada');
      expect(response.body).toContain('Cart (3)');
      expect(response.body).toContain('class="site-footer"');
      expect(response.headers['cache-control']).toBe('private, no-store');
      expect(response.headers['surrogate-control']).toBe('no-store');
      expect(response.headers['xkey']).toBeUndefined();
    });

    it('shows sold-out badges inline on a listing', async () => {
      const response = await get('/c/boots');
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Only 7 left');
      expect(response.body).toContain('Sold out');
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

  describe('the live badge script', () => {
    const scriptUrlOf = (html: string): string => {
      const match = /<script type="module" src="(\/assets\/[0-9a-f]{16}\/[^"]+)"><\/script>/.exec(
        html,
      );
      if (!match) throw new Error('no live script on the page');
      return match[1];
    };

    it('is on every page under a versioned URL that browsers and Varnish keep a year', async () => {
      const urls = new Set<string>();
      for (const path of ['/p/1', '/c/boots', '/', '/cart']) {
        urls.add(scriptUrlOf((await get(path, THROUGH_VARNISH)).body));
      }
      expect([...urls]).toHaveLength(1);
      expect([...urls][0]).toMatch(
        /^\/assets\/[0-9a-f]{16}\/storefront\/src\/live\/live-stock\.browser\.js$/,
      );
      const script = await get(scriptUrlOf((await get('/p/1')).body));
      expect(script.statusCode).toBe(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(script.headers['cache-control']).toBe('public, max-age=31536000');
      expect(script.headers['surrogate-control']).toBe('max-age=31536000');
      expect(script.body).toContain("from './live-stock-client.js'");
    });

    it('serves every module the script imports, from the same version', async () => {
      const entry = scriptUrlOf((await get('/p/1')).body);
      const pending = [entry];
      const served = new Set<string>();
      while (pending.length > 0) {
        const url = pending.pop()!;
        if (served.has(url)) continue;
        const module = await get(url);
        expect({ url, status: module.statusCode }).toEqual({ url, status: 200 });
        served.add(url);
        for (const [, specifier] of module.body.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
          pending.push(new URL(specifier, `http://shop${url}`).pathname);
        }
      }
      expect([...served].map((url) => url.split('/').slice(3).join('/')).sort()).toEqual([
        'common/src/backoff.js',
        'storefront/src/live/live-badge.js',
        'storefront/src/live/live-stock-client.js',
        'storefront/src/live/live-stock.browser.js',
      ]);
    });

    it('answers an old version briefly and an unknown module with 404', async () => {
      const old = await get('/assets/0000000000000000/storefront/src/live/live-badge.js');
      expect(old.statusCode).toBe(200);
      expect(old.headers['surrogate-control']).toBe('max-age=60');
      expect(old.headers['cache-control']).toBe('no-cache');
      const entry = scriptUrlOf((await get('/p/1')).body);
      for (const path of [
        entry.replace('live-stock.browser.js', 'nope.js'),
        entry.replace('live-stock.browser.js', '../../../../views/layout.njk'),
        entry.replace('live-stock.browser.js', '%2e%2e/live-badge.js'),
      ]) {
        const missing = await get(path);
        expect({ path, status: missing.statusCode }).toEqual({ path, status: 404 });
      }
    });
  });

  describe('fragments', () => {
    it("never lets a shopper's header be cached, and escapes the visitor name", async () => {
      const cartId = peers.addCart([
        [1, 1],
        [3, 1],
      ]);
      const response = await get('/fragments/header', {
        cookie: `user=${encodeURIComponent('<img src=x onerror=alert(1)>')}; cart=${cartId}`,
        ...THROUGH_VARNISH,
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('private, no-store');
      expect(response.headers['surrogate-control']).toBe('no-store');
      expect(response.headers['surrogate-control']).not.toMatch(/max-age/);
      expect(response.headers['xkey']).toBeUndefined();
      expect(response.body).toContain('Hello, &lt;img src=x onerror=alert(1)&gt;');
      expect(response.body).toContain('Cart (2)');
      const named = await get('/fragments/header', { cookie: 'user=Ada', ...THROUGH_VARNISH });
      expect(named.headers['cache-control']).toBe('private, no-store');
      expect(named.headers['xkey']).toBeUndefined();
    });

    it('lets Varnish share the header of visitors without a cart or a name', async () => {
      const anonymous = await get('/fragments/header', THROUGH_VARNISH);
      expect(anonymous.statusCode).toBe(200);
      expect(anonymous.headers['surrogate-control']).toBe('max-age=86400');
      expect(anonymous.headers['xkey']).toBe('header-anonymous');
      expect(anonymous.body).toContain('Welcome, guest');
      expect(anonymous.body).toContain('Cart (0)');
      // A cart cookie that cannot be a cart id is no cart: that visitor is anonymous too.
      const bogus = await get('/fragments/header', { cookie: 'cart=3', ...THROUGH_VARNISH });
      expect(bogus.headers['xkey']).toBe('header-anonymous');
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
      expect(inStock.body).toContain('Only 7 left');
      const soldOut = (await get('/fragments/stock/2')).body;
      expect(soldOut).toContain('>Sold out</span>');
      // Sold out: the notify form shows, a plain form post that works without JavaScript.
      expect(soldOut).toContain(
        '<form class="notify" action="/notifications/back-in-stock" method="post" data-testid="notify-form">',
      );
      expect(soldOut).toContain('<input type="hidden" name="productId" value="2">');
      expect(soldOut).toMatch(/<input type="email" name="email" required/);
    });

    it('says "In stock" without a figure at and above the threshold', async () => {
      peers.stock.set(4, 10);
      try {
        const badge = await get('/fragments/stock/4');
        expect(badge.body).toContain(
          '<span class="stock stock--in-stock" data-testid="stock-badge" data-stock="10">In stock</span>',
        );
      } finally {
        peers.stock.delete(4);
      }
    });

    it('answers 404 for the badge of a product the stock API does not know, never stored', async () => {
      const unknown = await get('/fragments/stock/404', THROUGH_VARNISH);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.headers['surrogate-control']).toBe('no-store');
      expect(unknown.headers['xkey']).toBeUndefined();
      // Where a page includes it, it still reads sensibly.
      expect(unknown.body).toContain('Sold out');
      expect(unknown.body).toContain('data-testid="notify-form" hidden>');
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
        '/c/boots?priceRange=cheap',
        '/c/shoes?category=hats',
        '/search?q=x&category=Not%20A%20Slug',
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
      expectOutagePage(await get('/p/1'), 'es down');
    });
  });

  describe('shopping (forms without JavaScript)', () => {
    const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
    const post = (
      url: string,
      form: Record<string, string>,
      headers: Record<string, string> = {},
    ) =>
      app.inject({
        method: 'POST',
        url,
        headers: { ...FORM, ...headers },
        payload: new URLSearchParams(form).toString(),
      });
    const cartOf = (id: string) => peers.carts.get(id);
    const address = {
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      line1: '12 Analytical Row',
      line2: '',
      city: 'London',
      postcode: 'N1 9GU',
      country: 'gb',
    };
    const hiddenKey = (html: string): string | undefined =>
      /name="idempotencyKey" value="([^"]+)"/.exec(html)?.[1];

    it('puts an add-to-cart form on the product page and on every listing tile', async () => {
      const product = await get('/p/1', THROUGH_VARNISH);
      expect(product.body).toContain(
        '<form class="add-to-cart" action="/cart/items" method="post"',
      );
      expect(product.body).toContain('<input type="hidden" name="productId" value="1">');
      expect(product.body).toContain('name="quantity" value="1"');
      // The shell is shared by everyone: no cart of anyone's in it.
      expect(product.body).not.toMatch(/[0-9a-f]{32}/);
      const listing = await get('/c/boots', THROUGH_VARNISH);
      for (const id of [1, 2, 3]) {
        expect(listing.body).toContain(`<input type="hidden" name="productId" value="${id}">`);
      }
    });

    it('creates the cart on the first add, keeps its id in an HttpOnly SameSite=Lax cookie, and redirects to /cart', async () => {
      const response = await post('/cart/items', { productId: '1', quantity: '2' });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/cart');
      expect(response.headers['cache-control']).toBe('private, no-store');
      const cookie = String(response.headers['set-cookie']);
      expect(cookie).toMatch(
        /^cart=[0-9a-f]{32}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/,
      );
      const cartId = /^cart=([0-9a-f]{32})/.exec(cookie)?.[1] ?? '';
      expect([...(cartOf(cartId)?.lines ?? [])]).toEqual([[1, 2]]);

      // The same cart next time: the quantity adds up, and no new cookie.
      const again = await post('/cart/items', { productId: '1' }, { cookie: `cart=${cartId}` });
      expect(again.statusCode).toBe(303);
      expect(again.headers['set-cookie']).toBeUndefined();
      expect([...(cartOf(cartId)?.lines ?? [])]).toEqual([[1, 3]]);
    });

    it('starts a new cart when the cookie names a cart that is gone or checked out', async () => {
      const closed = peers.addCart([[1, 1]]);
      const closedCart = cartOf(closed);
      if (closedCart) closedCart.status = 'ordered';
      for (const cookie of [`cart=${closed}`, `cart=${'f'.repeat(32)}`, 'cart=3']) {
        const response = await post('/cart/items', { productId: '3' }, { cookie });
        expect(response.statusCode).toBe(303);
        const id = /^cart=([0-9a-f]{32})/.exec(String(response.headers['set-cookie']))?.[1];
        expect(id).toBeDefined();
        expect(id).not.toBe(closed);
        expect([...(cartOf(id ?? '')?.lines ?? [])]).toEqual([[3, 1]]);
      }
      expect([...(cartOf(closed)?.lines ?? [])]).toEqual([[1, 1]]);
    });

    it('makes no cart and sets no cookie when a first add cannot be held', async () => {
      const cartsBefore = peers.carts.size;
      const response = await post('/cart/items', { productId: '1', quantity: '99' });
      expect(response.statusCode).toBe(409);
      expect(response.body).toContain(
        'data-testid="cart-error">Not enough stock: product 1: 7 left, 99 wanted<',
      );
      expect(response.body).toContain('Your cart is empty');
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(peers.carts.size).toBe(cartsBefore);
    });

    it('shows "not enough stock" on the cart page, changing nothing', async () => {
      const cartId = peers.addCart([[1, 6]]);
      const response = await post(
        '/cart/items',
        { productId: '1', quantity: '2' },
        { cookie: `cart=${cartId}` },
      );
      expect(response.statusCode).toBe(409);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('private, no-store');
      expect(response.body).toContain(
        'data-testid="cart-error">Not enough stock: product 1: 7 left, 8 wanted<',
      );
      // The cart as it is: still 6.
      expect(response.body).toContain('value="6"');
      expect([...(cartOf(cartId)?.lines ?? [])]).toEqual([[1, 6]]);
    });

    it('answers bad add-to-cart forms with a 400 page naming the field', async () => {
      const badForms: Record<string, string>[] = [
        { productId: 'abc' },
        { productId: '1', quantity: '0' },
        { productId: '1', quantity: '101' },
        { productId: '1', quantity: '1.5' },
        {},
      ];
      for (const form of badForms) {
        const response = await post('/cart/items', form);
        expect({ form, status: response.statusCode }).toEqual({ form, status: 400 });
        expect(response.body).toMatch(/productId must be|quantity must be/);
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      const unknown = await post('/cart/items', { productId: '999' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.body).toContain('Product 999 does not exist');
    });

    it('refuses forms posted from another site', async () => {
      const response = await post(
        '/cart/items',
        { productId: '1' },
        { 'sec-fetch-site': 'cross-site' },
      );
      expect(response.statusCode).toBe(403);
      expect(response.headers['set-cookie']).toBeUndefined();
    });

    it('shows the cart: lines, quantities, totals and when the hold ends; never stored', async () => {
      const cartId = peers.addCart([
        [1, 2],
        [3, 1],
      ]);
      const page = await get('/cart', { cookie: `cart=${cartId}`, ...THROUGH_VARNISH });
      expect(page.statusCode).toBe(200);
      expect(page.headers['cache-control']).toBe('private, no-store');
      expect(page.headers['surrogate-control']).toBe('content="ESI/1.0", no-store');
      expect(page.body).toContain('<esi:include src="/fragments/header"/>');
      expect(page.body).toContain('data-testid="cart-line-name">Trail Boot<');
      expect(page.body).toContain('data-testid="cart-line-total">$39.98<');
      expect(page.body).toContain('data-testid="cart-quantity">3<');
      expect(page.body).toContain('data-testid="cart-total">$44.98<');
      expect(page.body).toContain(
        '<time datetime="2030-01-01T10:15:00.000Z" data-testid="cart-hold">10:15 UTC</time>',
      );
      // Each line's stock badge: an ESI fragment like everywhere else, made live by the script.
      expect(page.body).toContain('<esi:include src="/fragments/stock/1"/>');
      expect(page.body).toContain('<esi:include src="/fragments/stock/3"/>');
      expect(page.body).toContain('action="/cart/items/1" method="post"');
      expect(page.body).toContain('action="/cart/items/3/remove" method="post"');
      expect(page.body).toContain('href="/checkout"');
      const empty = await get('/cart');
      expect(empty.statusCode).toBe(200);
      expect(empty.body).toContain('Your cart is empty');
    });

    it('updates and removes lines, then redirects to /cart', async () => {
      const cartId = peers.addCart([
        [1, 2],
        [3, 1],
      ]);
      const cookie = { cookie: `cart=${cartId}` };
      const update = await post('/cart/items/1', { quantity: '5' }, cookie);
      expect([update.statusCode, update.headers.location]).toEqual([303, '/cart']);
      const remove = await post('/cart/items/3/remove', {}, cookie);
      expect([remove.statusCode, remove.headers.location]).toEqual([303, '/cart']);
      expect([...(cartOf(cartId)?.lines ?? [])]).toEqual([[1, 5]]);
      // Too many: the page says so and nothing changes.
      const tooMany = await post('/cart/items/1', { quantity: '8' }, cookie);
      expect(tooMany.statusCode).toBe(409);
      expect(tooMany.body).toContain('7 left, 8 wanted');
      const zero = await post('/cart/items/1', { quantity: '0' }, cookie);
      expect(zero.statusCode).toBe(303);
      expect(cartOf(cartId)?.lines.size).toBe(0);
      peers.carts.get(cartId)?.lines.set(3, 1);
      const bad = await post('/cart/items/1', { quantity: 'lots' }, cookie);
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('quantity must be a whole number from 0 to 100');
      // The page still shows the cart as it is.
      expect(bad.body).toContain('action="/cart/items/3/remove"');
    });

    it('shows the real cart count in the header, 0 without a cart, and "Cart" when the cart API is slow', async () => {
      const cartId = peers.addCart([
        [1, 2],
        [3, 4],
      ]);
      expect((await get('/fragments/header', { cookie: `cart=${cartId}` })).body).toContain(
        'Cart (6)',
      );
      expect((await get('/fragments/header', { cookie: `cart=${'a'.repeat(32)}` })).body).toContain(
        'Cart (0)',
      );
      const closed = cartOf(cartId);
      if (closed) closed.status = 'ordered';
      expect((await get('/fragments/header', { cookie: `cart=${cartId}` })).body).toContain(
        'Cart (0)',
      );

      peers.cartReadDelayMs = 2000;
      const started = Date.now();
      const slow = await get('/fragments/header', { cookie: `cart=${cartId}` });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(slow.statusCode).toBe(200);
      expect(slow.headers['cache-control']).toBe('private, no-store');
      expect(slow.body).toContain('data-testid="cart-count">Cart<');
    });

    it('sends /checkout without a cart to /cart, and renders the form with a fresh Idempotency-Key', async () => {
      const none = await get('/checkout');
      expect([none.statusCode, none.headers.location]).toEqual([303, '/cart']);
      const emptyCart = peers.addCart();
      const empty = await get('/checkout', { cookie: `cart=${emptyCart}` });
      expect([empty.statusCode, empty.headers.location]).toEqual([303, '/cart']);

      const cartId = peers.addCart([[1, 1]]);
      const first = await get('/checkout', { cookie: `cart=${cartId}` });
      expect(first.statusCode).toBe(200);
      expect(first.headers['cache-control']).toBe('private, no-store');
      for (const field of ['email', 'name', 'line1', 'line2', 'city', 'postcode', 'country']) {
        expect(first.body).toContain(`name="${field}"`);
      }
      const second = await get('/checkout', { cookie: `cart=${cartId}` });
      expect(hiddenKey(first.body)).toMatch(/^[0-9a-f-]{36}$/);
      expect(hiddenKey(second.body)).not.toBe(hiddenKey(first.body));
    });

    it("shows errors next to their fields (its own checks and the API's), keeps the values and places nothing", async () => {
      const cartId = peers.addCart([[1, 1]]);
      const cookie = { cookie: `cart=${cartId}` };
      const key = hiddenKey((await get('/checkout', cookie)).body) ?? '';
      const calls = peers.checkoutCalls.length;

      const wrong = await post(
        '/checkout',
        { ...address, email: 'not-an-email', city: ' ', idempotencyKey: key },
        cookie,
      );
      expect(wrong.statusCode).toBe(400);
      expect(wrong.body).toContain(
        'data-testid="error-email">Enter an email address such as ada@example.com<',
      );
      expect(wrong.body).toContain('data-testid="error-city">City is required<');
      expect(wrong.body).not.toContain('data-testid="error-name"');
      expect(wrong.body).toContain('value="Ada Lovelace"');
      expect(wrong.body).toContain('value="not-an-email"');
      expect(hiddenKey(wrong.body)).toBe(key);
      expect(peers.checkoutCalls.length).toBe(calls);

      // A code of the right shape that is no country: the API's 400 names the field.
      const api = await post(
        '/checkout',
        { ...address, country: 'XX', idempotencyKey: key },
        cookie,
      );
      expect(api.statusCode).toBe(400);
      expect(api.body).toContain(
        'data-testid="error-country">country must be an ISO 3166-1 alpha-2 code such as GB<',
      );
      expect(peers.checkoutCalls.length).toBe(calls + 1);
      expect(cartOf(cartId)?.status).toBe('open');
    });

    it("places the order with the form's key and redirects to it; a double submit is one order", async () => {
      const cartId = peers.addCart([[1, 2]]);
      const cookie = { cookie: `cart=${cartId}` };
      const key = hiddenKey((await get('/checkout', cookie)).body) ?? '';
      const form = { ...address, idempotencyKey: key };
      const [first, second] = await Promise.all([
        post('/checkout', form, cookie),
        post('/checkout', form, cookie),
      ]);
      expect(first.statusCode).toBe(303);
      expect(first.headers.location).toMatch(/^\/orders\/[0-9a-f]{32}$/);
      expect(second.statusCode).toBe(303);
      expect(second.headers.location).toBe(first.headers.location);
      expect(
        peers.checkoutCalls
          .filter((call) => call.cartId === cartId)
          .every((call) => call.key === key),
      ).toBe(true);
      const orderId = String(first.headers.location).slice('/orders/'.length);
      expect(peers.orders.get(orderId)?.shippingAddress).toEqual({
        name: 'Ada Lovelace',
        line1: '12 Analytical Row',
        city: 'London',
        postcode: 'N1 9GU',
        country: 'GB',
      });
      // Once more, after the cart closed: still that order.
      const third = await post('/checkout', form, cookie);
      expect(third.headers.location).toBe(first.headers.location);
      expect([...peers.orders.values()].filter((order) => order.id === orderId)).toHaveLength(1);
    });

    it('shows the order: pending (reloading itself), then confirmed; unknown ids are 404 pages', async () => {
      const cartId = peers.addCart([[3, 1]]);
      const placed = await post(
        '/checkout',
        { ...address, idempotencyKey: '7d444840-9dc0-11d1-b245-5ffdce74fad2' },
        { cookie: `cart=${cartId}` },
      );
      const location = String(placed.headers.location);
      const pending = await get(location, THROUGH_VARNISH);
      expect(pending.statusCode).toBe(200);
      expect(pending.headers['cache-control']).toBe('private, no-store');
      expect(pending.headers['surrogate-control']).toBe('content="ESI/1.0", no-store');
      expect(pending.body).toContain(`data-testid="order-id">${location.slice(8)}<`);
      expect(pending.body).toContain('data-testid="order-status">pending<');
      expect(pending.body).toContain('<meta http-equiv="refresh" content="2">');
      expect(pending.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Boot');

      peers.setOrderStatus(location.slice(8), 'confirmed');
      const confirmed = await get(location);
      expect(confirmed.body).toContain('data-testid="order-status">confirmed<');
      expect(confirmed.body).not.toContain('http-equiv="refresh"');

      for (const url of [
        `/orders/${'0'.repeat(32)}`,
        '/orders/nope',
        `/orders/${'A'.repeat(32)}`,
      ]) {
        const response = await get(url, THROUGH_VARNISH);
        expect({ url, status: response.statusCode }).toEqual({ url, status: 404 });
        expect(response.headers['surrogate-control']).toBe('content="ESI/1.0", no-store');
        expect(response.headers['xkey']).toBeUndefined();
        expect(response.body).toContain('There is no such order');
      }
    });

    describe("the sold-out badge's notify form (POST /notifications/back-in-stock)", () => {
      const NOTIFY = '/notifications/back-in-stock';
      const resultOf = (html: string): string | undefined =>
        /data-testid="notify-result">([^<]*)</.exec(html)?.[1];
      const backLinkOf = (html: string): string | undefined =>
        /<a href="([^"]*)" data-testid="notify-back">/.exec(html)?.[1];

      it('passes the form on to stock-api as JSON and thanks the shopper on a 200 page, never stored', async () => {
        const email = `ada-${randomBytes(4).toString('hex')}@example.com`;
        const first = await post(
          NOTIFY,
          { productId: '2', email, extra: 'not passed on' },
          THROUGH_VARNISH,
        );
        expect(first.statusCode).toBe(200);
        expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(first.headers['cache-control']).toBe('private, no-store');
        expect(first.headers['surrogate-control']).toBe('content="ESI/1.0", no-store');
        expect(first.headers['xkey']).toBeUndefined();
        // The id as the JSON API takes it (a number), the address as typed, nothing else.
        expect(peers.signupCalls.at(-1)).toEqual({
          contentType: 'application/json',
          body: { productId: 2, email },
        });
        expect(peers.subscriptions.has(`2 ${email}`)).toBe(true);
        // The words the badge script shows after its fetch, and the way back to the product.
        expect(resultOf(first.body)).toBe(notifyResultText(201, undefined));
        expect(backLinkOf(first.body)).toBe('/p/2');
        expect(first.body).toContain('<esi:include src="/fragments/header"/>');

        // Sent again (a reload posts again): stock-api's 200, the same page.
        const again = await post(NOTIFY, { productId: '2', email });
        expect(again.statusCode).toBe(200);
        expect(resultOf(again.body)).toBe(notifyResultText(200, undefined));
        expect([...peers.subscriptions].filter((key) => key === `2 ${email}`)).toHaveLength(1);
      });

      it("answers stock-api's refusals with its status and the script's words", async () => {
        const cases: [Record<string, string>, number, string, string][] = [
          [
            { productId: '2', email: 'ada-at-example' },
            400,
            notifyResultText(400, 'email must be an email address'),
            '/p/2',
          ],
          // Not a product id: passed on as posted, for stock-api to name the field.
          [
            { productId: 'abc', email: 'ada@example.com' },
            400,
            'productId must be a product id (an integer from 1 to 4294967295)',
            '/',
          ],
          [{ productId: '999', email: 'ada@example.com' }, 404, notifyResultText(404, 'x'), '/'],
          [{ productId: '1', email: 'ada@example.com' }, 409, notifyResultText(409, 'x'), '/p/1'],
        ];
        for (const [form, status, text, back] of cases) {
          const response = await post(NOTIFY, form);
          expect({ form, status: response.statusCode }).toEqual({ form, status });
          expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
          expect(response.headers['cache-control']).toBe('private, no-store');
          expect({ form, text: resultOf(response.body) }).toEqual({ form, text });
          expect({ form, back: backLinkOf(response.body) }).toEqual({ form, back });
        }
        expect(peers.signupCalls.at(-4)?.body).toEqual({
          productId: 2,
          email: 'ada-at-example',
        });
        expect(peers.signupCalls.at(-3)?.body).toEqual({
          productId: 'abc',
          email: 'ada@example.com',
        });
      });

      it('refuses a notify form posted from another site, without asking stock-api', async () => {
        const calls = peers.signupCalls.length;
        const response = await post(
          NOTIFY,
          { productId: '2', email: 'ada@example.com' },
          { 'sec-fetch-site': 'cross-site' },
        );
        expect(response.statusCode).toBe(403);
        expect(response.headers['cache-control']).toBe('private, no-store');
        expect(response.body).toContain('Forms of this shop are posted from the shop');
        expect(peers.signupCalls.length).toBe(calls);
      });

      it('answers a 503 page, not a stack trace, when stock-api cannot sign up', async () => {
        peers.signupsDown = true;
        const response = await post(NOTIFY, { productId: '2', email: 'ada@example.com' });
        expectOutagePage(response, 'mysql down');
        expect(resultOf(response.body)).toBeUndefined();
      });
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
