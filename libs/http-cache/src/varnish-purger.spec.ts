import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseShopConfig, SHOP_CONFIG } from '@shop/config';
import { HttpCacheModule } from './http-cache.module';
import {
  batchPurgePlan,
  purgedCount,
  VarnishPurgeError,
  VarnishPurger,
  type VarnishPurgerOptions,
} from './varnish-purger';

/** What the fake peer does with one request. */
type Behaviour =
  | { status: number; body?: string }
  | { destroy: true } // drop the connection without an answer
  | { hang: true }; // never answer

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * A tiny HTTP peer on an ephemeral port that answers PURGEs from a script; not Varnish, just
 * enough HTTP to exercise the purger's batching, retries and error reporting.
 */
class FakePeer {
  readonly seen: SeenRequest[] = [];
  private readonly script: Behaviour[] = [];
  private server?: Server;

  constructor(private readonly fallback: Behaviour = { status: 200, body: '{"purged":1}' }) {}

  then(...behaviours: Behaviour[]): this {
    this.script.push(...behaviours);
    return this;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      req.resume();
      const behaviour = this.script.shift() ?? this.fallback;
      if ('destroy' in behaviour) {
        req.socket.destroy();
      } else if ('status' in behaviour) {
        res.writeHead(behaviour.status, { 'content-type': 'application/json' });
        res.end(behaviour.body ?? '');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const silent = { warn: (): void => undefined };

describe('VarnishPurger', () => {
  const peers: FakePeer[] = [];
  const delays: number[] = [];

  async function peer(fallback?: Behaviour): Promise<[FakePeer, string]> {
    const fake = new FakePeer(fallback);
    peers.push(fake);
    return [fake, await fake.start()];
  }

  function purger(urls: string[], options: Partial<VarnishPurgerOptions> = {}): VarnishPurger {
    return new VarnishPurger({
      urls,
      logger: silent,
      random: () => 0,
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
      ...options,
    });
  }

  beforeEach(() => {
    delays.length = 0;
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.stop()));
  });

  it('purges hard with PURGE / and an xkey header, and reports the count', async () => {
    const [fake, url] = await peer({ status: 200, body: '{"purged":3,"hard":3,"soft":0}' });
    const result = await purger([url]).purgeTags(['product-1', 'stock-1']);
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0]).toMatchObject({ method: 'PURGE', url: '/' });
    expect(fake.seen[0].headers.xkey).toBe('product-1 stock-1');
    expect(fake.seen[0].headers['xkey-softpurge']).toBeUndefined();
    expect(result).toEqual({ purged: 3, hosts: [{ url, purged: 3, requests: 1 }] });
  });

  it('purges soft with an xkey-softpurge header', async () => {
    const [fake, url] = await peer();
    await purger([url]).purgeTags(['listing'], 'soft');
    expect(fake.seen[0].headers['xkey-softpurge']).toBe('listing');
    expect(fake.seen[0].headers.xkey).toBeUndefined();
  });

  it('sends the hard and soft tags of a plan in one request', async () => {
    const [fake, url] = await peer();
    await purger([url]).purge({ hard: ['stock-1', 'product-1'], soft: ['listing'] });
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0].headers.xkey).toBe('stock-1 product-1');
    expect(fake.seen[0].headers['xkey-softpurge']).toBe('listing');
  });

  it('sends nothing for an empty plan', async () => {
    const [fake, url] = await peer();
    expect(await purger([url]).purge({ hard: [], soft: [] })).toEqual({
      purged: 0,
      hosts: [{ url, purged: 0, requests: 0 }],
    });
    expect(fake.seen).toHaveLength(0);
  });

  it('batches many tags into few requests with bounded headers', async () => {
    const [fake, url] = await peer();
    const tags = Array.from({ length: 500 }, (_, i) => `stock-${i + 1}`);
    const result = await purger([url], { maxHeaderBytes: 256 }).purgeTags(tags);
    const sent = fake.seen.map((r) => String(r.headers.xkey));
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.length).toBeLessThan(tags.length / 10);
    for (const header of sent) expect(Buffer.byteLength(header)).toBeLessThanOrEqual(256);
    expect(sent.flatMap((h) => h.split(' '))).toEqual(tags);
    expect(result.hosts[0].requests).toBe(sent.length);
    expect(result.purged).toBe(sent.length);
  });

  it('purges every configured host', async () => {
    const [a, urlA] = await peer();
    const [b, urlB] = await peer();
    const result = await purger([urlA, urlB]).purgeTags(['menu']);
    expect(a.seen).toHaveLength(1);
    expect(b.seen).toHaveLength(1);
    expect(result.purged).toBe(2);
  });

  it('retries 5xx with exponential backoff, then succeeds', async () => {
    const [fake, url] = await peer();
    fake.then({ status: 503 }, { status: 502 });
    const result = await purger([url]).purgeTags(['menu']);
    expect(fake.seen).toHaveLength(3);
    expect(result.purged).toBe(1);
    // random() = 0: half of 100 ms, then half of 200 ms
    expect(delays).toEqual([50, 100]);
  });

  it('retries a dropped connection', async () => {
    const [fake, url] = await peer();
    fake.then({ destroy: true });
    await expect(purger([url]).purgeTags(['menu'])).resolves.toMatchObject({ purged: 1 });
    expect(fake.seen).toHaveLength(2);
  });

  it('retries a request that gets no answer in time', async () => {
    const [fake, url] = await peer();
    fake.then({ hang: true });
    await expect(purger([url], { timeoutMs: 200 }).purgeTags(['menu'])).resolves.toMatchObject({
      purged: 1,
    });
    expect(fake.seen).toHaveLength(2);
  });

  it('gives up after maxAttempts and names the host', async () => {
    const [fake, url] = await peer({ status: 503 });
    const error = await purger([url], { maxAttempts: 3 })
      .purgeTags(['menu'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VarnishPurgeError);
    expect((error as VarnishPurgeError).message).toBe(
      `Varnish PURGE failed on ${url} after 3 attempts: 503 Service Unavailable`,
    );
    expect(fake.seen).toHaveLength(3);
    expect(delays).toEqual([50, 100]);
  });

  it('caps the backoff', async () => {
    const [, url] = await peer({ status: 500 });
    await purger([url], { maxAttempts: 6, maxBackoffMs: 300 })
      .purgeTags(['menu'])
      .catch(() => undefined);
    expect(delays).toEqual([50, 100, 150, 150, 150]);
  });

  it('does not retry a refusal, and hints at the ACL', async () => {
    const [fake, url] = await peer({ status: 403 });
    await expect(purger([url]).purgeTags(['menu'])).rejects.toThrow(
      /after 1 attempt: 403 Forbidden \(not in the purgers ACL/,
    );
    expect(fake.seen).toHaveLength(1);
  });

  it('reports which of several hosts failed, after purging the others', async () => {
    const [, good] = await peer();
    const [, bad] = await peer({ status: 503 });
    const error = (await purger([good, bad], { maxAttempts: 2 })
      .purgeTags(['menu'])
      .catch((e: unknown) => e)) as VarnishPurgeError;
    expect(error).toBeInstanceOf(VarnishPurgeError);
    expect(error.failures).toEqual([{ url: bad, attempts: 2, reason: '503 Service Unavailable' }]);
    expect(error.succeeded).toEqual([{ url: good, purged: 1, requests: 1 }]);
    expect(error.message).toContain(bad);
    expect(error.message).not.toContain(good);
  });

  it('names a host that refuses connections', async () => {
    const [fake, url] = await peer();
    await fake.stop();
    peers.pop();
    await expect(purger([url], { maxAttempts: 2 }).purgeTags(['menu'])).rejects.toThrow(
      new RegExp(`${url} after 2 attempts: ECONNREFUSED`),
    );
  });

  it('refuses to start without a host, and refuses invalid tags', () => {
    expect(() => new VarnishPurger({ urls: [] })).toThrow(/at least one/);
    expect(() => batchPurgePlan({ hard: ['two words'], soft: [] }, 100)).toThrow(
      /Invalid cache tag/,
    );
  });
});

describe('batchPurgePlan', () => {
  it('pairs hard and soft batches, de-duplicated, each within the byte limit', () => {
    expect(batchPurgePlan({ hard: ['aaaa', 'bbbb', 'aaaa', 'cccc'], soft: ['dddd'] }, 9)).toEqual([
      { hard: ['aaaa', 'bbbb'], soft: ['dddd'] },
      { hard: ['cccc'], soft: [] },
    ]);
  });

  it('refuses a tag longer than the limit', () => {
    expect(() => batchPurgePlan({ hard: ['abcdefghij'], soft: [] }, 5)).toThrow(RangeError);
  });
});

describe('purgedCount', () => {
  it('reads the count of our VCL and falls back to 0', () => {
    expect(purgedCount('{"purged":4,"hard":1,"soft":3}')).toBe(4);
    expect(purgedCount('<html>Purged</html>')).toBe(0);
    expect(purgedCount('{"purged":"x"}')).toBe(0);
  });
});

describe('HttpCacheModule', () => {
  @Global()
  @Module({})
  class FakeConfigModule {}

  it('provides a VarnishPurger aimed at VARNISH_PURGE_URLS', async () => {
    const fake = new FakePeer();
    const url = await fake.start();
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [
          {
            module: FakeConfigModule,
            global: true,
            providers: [
              { provide: SHOP_CONFIG, useValue: parseShopConfig({ VARNISH_PURGE_URLS: url }) },
            ],
            exports: [SHOP_CONFIG],
          },
          HttpCacheModule.forRoot({ logger: silent }),
        ],
      }).compile();
      const result = await moduleRef.get(VarnishPurger).purgeTags(['menu']);
      expect(result.hosts).toEqual([{ url, purged: 1, requests: 1 }]);
      expect(fake.seen[0].headers.xkey).toBe('menu');
      await moduleRef.close();
    } finally {
      await fake.stop();
    }
  });
});
