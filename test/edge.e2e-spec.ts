import { randomBytes, randomInt } from 'node:crypto';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { Product } from '@shop/contracts';
import { adminHeaders, requestJson, urls } from './support/stack';

/** What Varnish answers itself: the apps' error shape. */
interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

interface StockLevel {
  id: number;
  stock: number;
  version: number;
}

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const TWO_MB = 2 * 1024 * 1024;
const edge = new URL(urls.varnish);

/**
 * One request with node:http, for what fetch cannot do: a chunked body (no Content-Length), or a
 * chosen local address (the loopback range is ours: 127.0.0.9 is another client to Varnish).
 */
function rawRequest(
  path: string,
  {
    method = 'GET',
    headers = {},
    chunks = [],
    agent,
  }: { method?: string; headers?: Record<string, string>; chunks?: Buffer[]; agent?: Agent } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: edge.hostname, port: edge.port, path, method, headers, agent },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error(`${method} ${path} timed out`)));
    outgoing.on('error', reject);
    for (const chunk of chunks) outgoing.write(chunk);
    outgoing.end();
  });
}

function expectErrorJson(
  answer: { status: number; contentType: string | null; body: unknown },
  status: number,
  error: string,
): void {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toMatch(/^application\/json/);
  expect(answer.body).toEqual({ statusCode: status, error, message: expect.any(String) });
}

/** A valid JSON write padded with whitespace to `size` bytes: were it accepted, it would apply. */
function paddedJson(value: unknown, size: number): string {
  const json = JSON.stringify(value);
  return json + ' '.repeat(size - json.length);
}

async function stockLevel(id: number): Promise<StockLevel> {
  const level = await requestJson<StockLevel>(`${urls.stock}/products/${id}/stock`);
  expect(level.status).toBe(200);
  return level.body;
}

describe('the edge (Varnish)', () => {
  describe('oversized requests', () => {
    const token = randomBytes(6).toString('hex');
    let product: Product | undefined;

    beforeAll(async () => {
      const created = await requestJson<Product>(`${urls.varnish}/admin/products`, {
        method: 'POST',
        headers: adminHeaders,
        body: JSON.stringify({
          sku: `E2E-EDGE-${token}`,
          name: `Edge fixture ${token}`,
          description: 'before',
          price: 10,
          categories: ['home-decor'],
        }),
      });
      expect(created.status).toBe(201);
      product = created.body;
    });

    afterAll(async () => {
      if (product) {
        await requestJson(`${urls.varnish}/admin/products/${product.id}`, {
          method: 'DELETE',
          headers: { authorization: adminHeaders.authorization },
        });
      }
    });

    it('answers a 2 MB admin write with a JSON 413 and writes nothing', async () => {
      const { id, name } = product!;
      const answer = await requestJson<ErrorBody>(`${urls.varnish}/admin/products/${id}`, {
        method: 'PATCH',
        headers: adminHeaders,
        body: paddedJson({ description: 'after' }, TWO_MB),
      });
      expectErrorJson(
        { ...answer, contentType: answer.headers.get('content-type') },
        413,
        'Payload Too Large',
      );

      // A small write afterwards answers with the product as MySQL holds it.
      const current = await requestJson<Product>(`${urls.varnish}/admin/products/${id}`, {
        method: 'PATCH',
        headers: adminHeaders,
        body: JSON.stringify({ name }),
      });
      expect(current.status).toBe(200);
      expect(current.body.description).toBe('before');
    });

    it('answers a 2 MB stock write, with a length or chunked, with a JSON 413 and leaves the stock', async () => {
      const id = 1;
      const before = await stockLevel(id);
      const body = paddedJson({ stock: 1, action: 'increment' }, TWO_MB);

      const withLength = await requestJson<ErrorBody>(`${urls.varnish}/products/${id}/stock`, {
        method: 'PUT',
        headers: adminHeaders,
        body,
      });
      expectErrorJson(
        { ...withLength, contentType: withLength.headers.get('content-type') },
        413,
        'Payload Too Large',
      );

      const buffer = Buffer.from(body);
      const chunked = await rawRequest(`/products/${id}/stock`, {
        method: 'PUT',
        headers: { ...adminHeaders, 'transfer-encoding': 'chunked' },
        chunks: [buffer.subarray(0, 1_000_000), buffer.subarray(1_000_000)],
      });
      expectErrorJson(
        {
          status: chunked.status,
          contentType: chunked.headers['content-type'] ?? null,
          body: JSON.parse(chunked.body) as unknown,
        },
        413,
        'Payload Too Large',
      );

      expect(await stockLevel(id)).toEqual(before);
    });

    it('answers a 32 kB URL with a JSON 414', async () => {
      const answer = await requestJson<ErrorBody>(
        `${urls.varnish}/products?q=${'a'.repeat(32 * 1024)}`,
      );
      expectErrorJson(
        { ...answer, contentType: answer.headers.get('content-type') },
        414,
        'URI Too Long',
      );
    });
  });

  describe('private paths', () => {
    it.each(['/metrics', '/docs-json', '/docs', '/docs/swagger-ui.css', '/%6detrics'])(
      '%s is a JSON 404 through Varnish',
      async (path) => {
        const answer = await requestJson<ErrorBody>(`${urls.varnish}${path}`);
        expectErrorJson(
          { ...answer, contentType: answer.headers.get('content-type') },
          404,
          'Not Found',
        );
      },
    );

    it("stays on the apps' own ports", async () => {
      const docs = await requestJson<{ openapi: string }>(`${urls.catalog}/docs-json`);
      expect(docs.status).toBe(200);
      expect(docs.body.openapi).toMatch(/^3\./);
      const metrics = await fetch(`${urls.syncWorker}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('# TYPE');
    });
  });

  describe('request ids', () => {
    it('returns the id the client sent', async () => {
      const id = `e2e-edge-${randomBytes(8).toString('hex')}`;
      const answer = await fetch(`${urls.varnish}/products/1`, {
        headers: { 'x-request-id': id },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-request-id')).toBe(id);
    });

    it('makes one when the client sent none, or an invalid one, and never repeats it', async () => {
      const plain = await fetch(`${urls.varnish}/products/1`);
      const invalid = await fetch(`${urls.varnish}/products/1`, {
        headers: { 'x-request-id': 'x'.repeat(129) },
      });
      const made = [plain, invalid].map((answer) => answer.headers.get('x-request-id'));
      for (const id of made) expect(id).toMatch(/^\d+-\d+-\d+$/);
      expect(made[0]).not.toBe(made[1]);
    });

    it('puts it on what Varnish answers itself', async () => {
      const answer = await fetch(`${urls.varnish}/metrics`, {
        headers: { 'x-request-id': 'e2e-private-path' },
      });
      expect(answer.status).toBe(404);
      expect(answer.headers.get('x-request-id')).toBe('e2e-private-path');
    });
  });

  describe('write rate limits', () => {
    it('answers a burst of admin writes from one address with 429 and Retry-After, and only that address', async () => {
      // A loopback address of this run only: its bucket is full, and 127.0.0.1's is untouched.
      const address = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
      const agent = new Agent({ keepAlive: true, maxSockets: 32, localAddress: address });
      // Unauthenticated deletes: cheap 401s at the app, but writes to the edge.
      const write = (): Promise<RawAnswer> =>
        rawRequest('/admin/products/1', { method: 'DELETE', agent });
      let sent = 0;
      let passed = 0;
      let refused: RawAnswer | undefined;
      const deadline = Date.now() + 60_000;
      try {
        const worker = async (): Promise<void> => {
          while (!refused && sent < 30_000 && Date.now() < deadline) {
            sent += 1;
            const answer = await write();
            if (answer.status === 429) refused ??= answer;
            else if (answer.status === 401) passed += 1;
            else throw new Error(`DELETE /admin/products/1 answered ${answer.status}`);
          }
        };
        await Promise.all(Array.from({ length: 32 }, () => worker()));
      } finally {
        agent.destroy();
      }

      expect(refused).toBeDefined();
      expect(passed).toBeGreaterThan(0);
      expect(refused!.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(refused!.headers['x-request-id']).toMatch(/^[!-~]{1,128}$/);
      expectErrorJson(
        {
          status: refused!.status,
          contentType: refused!.headers['content-type'] ?? null,
          body: JSON.parse(refused!.body) as unknown,
        },
        429,
        'Too Many Requests',
      );

      // This machine's own address is another client: still let through.
      const local = await requestJson(`${urls.varnish}/admin/products/1`, { method: 'DELETE' });
      expect(local.status).toBe(401);
    }, 90_000);
  });
});
