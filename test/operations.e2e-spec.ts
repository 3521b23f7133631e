import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StockChangedEvent } from '@shop/contracts';
import { PlainStockListener } from './support/amqp';
import { APP_NAMES, clusterMode, processesOf, type AppName } from './support/apps';
import { adminHeaders, config, eventually, requestJson, urls } from './support/stack';

const root = join(__dirname, '..');
const run = promisify(execFile);

interface StockBody {
  id: number;
  stock: number;
  version: number;
}

const logPath = (name: string): string => join(root, '.stack', 'logs', `${name}.log`);

/** Each log's size when this file's tests began: only what they logged is read. */
const logStarts = new Map<string, number>();

/**
 * The JSON lines of an app's logs (.stack/logs/<process>.log, each process's) that mention `text`,
 * among those written since this file's tests began. Reading whole files would fail once a log
 * that `npm run up` has appended to for long (benchmarks) outgrows the longest string V8 makes.
 */
async function logLinesWith(app: AppName, text: string): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  for (const name of processesOf(app)) {
    const file = await open(logPath(name), 'r');
    try {
      const { size } = await file.stat();
      const start = Math.min(logStarts.get(name) ?? 0, size);
      const { buffer, bytesRead } = await file.read(
        Buffer.alloc(size - start),
        0,
        size - start,
        start,
      );
      const log = buffer.subarray(0, bytesRead).toString('utf8');
      for (const line of log.split('\n').filter((candidate) => candidate.includes(text))) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
    } finally {
      await file.close();
    }
  }
  return lines;
}

beforeAll(async () => {
  for (const app of APP_NAMES) {
    for (const name of processesOf(app)) {
      logStarts.set(name, (await stat(logPath(name)).catch(() => ({ size: 0 }))).size);
    }
  }
});

describe('operations: request ids, metrics, status', () => {
  describe('one stock PUT through Varnish with a chosen X-Request-Id', () => {
    const listener = new PlainStockListener('stock', ['info']);
    const requestId = `e2e-ops-${randomUUID()}`;
    const productId = 2;
    let answer: { status: number; headers: Headers; body: StockBody };

    beforeAll(async () => {
      await listener.open();
      const before = await requestJson<StockBody>(`${urls.stock}/products/${productId}/stock`);
      expect(before.status).toBe(200);
      // A `set` to the current figure: a real change event, but no other test's stock moves.
      answer = await requestJson<StockBody>(`${urls.varnish}/products/${productId}/stock`, {
        method: 'PUT',
        headers: { ...adminHeaders, 'x-request-id': requestId },
        body: JSON.stringify({ stock: before.body.stock, action: 'set' }),
      });
    });

    afterAll(() => listener.close());

    it('is answered, and the response carries the same X-Request-Id', () => {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-request-id')).toBe(requestId);
    });

    it("is on the stock API's log line for the write", async () => {
      const [line] = await eventually(
        async () => {
          const lines = await logLinesWith('stock-api', requestId);
          return lines.length > 0 ? lines : undefined;
        },
        { what: 'the request id in stock-api.log' },
      );
      expect(line).toMatchObject({
        msg: 'request completed',
        req: { id: requestId, method: 'PUT', url: `/products/${productId}/stock` },
        res: { statusCode: 200 },
      });
    });

    it('arrives as the correlationId of the event on a plain amqplib consumer', async () => {
      const message = await eventually(
        async () =>
          listener.messages.find(
            (candidate) =>
              (candidate.body as StockChangedEvent).id === productId &&
              (candidate.body as StockChangedEvent).version === answer.body.version,
          ),
        { what: 'the stock event of the PUT' },
      );
      expect(message.properties.correlationId).toBe(requestId);
      // The body stays the plain event: no envelope around it.
      expect(message.body).toMatchObject({ id: productId, version: answer.body.version });
    });

    it("is on the sync worker's log lines for the event", async () => {
      const lines = await eventually(
        async () => {
          // Each consumer logs its own batch line; wait for the stock one.
          const found = await logLinesWith('sync-worker', requestId);
          return found.some((line) => String(line.msg).startsWith('stock:')) ? found : undefined;
        },
        { what: "the request id in the sync worker's log" },
      );
      expect(lines.map((line) => line.msg)).toContainEqual(
        expect.stringMatching(/^stock: \d+ message\(s\) handled in \d+ ms \(correlation .*/),
      );
    });
  });

  it('generates an id when the caller sends none or an unusable one', async () => {
    const cases: Record<string, string>[] = [{}, { 'x-request-id': 'has a space' }];
    for (const headers of cases) {
      const response = await fetch(`${urls.stock}/products/1/stock`, { headers });
      expect(response.status).toBe(200);
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it.each([
    ['storefront', config.STOREFRONT_PORT],
    ['catalog-api', config.CATALOG_API_PORT],
    ['stock-api', config.STOCK_API_PORT],
    ['sync-worker', config.SYNC_WORKER_PORT],
    ['live', config.LIVE_PORT],
  ])('%s serves /metrics with the request histogram by route template', async (_app, port) => {
    // One request first, so the histogram has a series on this port whatever ran before.
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} \d+$/m,
    );
  });

  it('reports the outbox backlogs on the APIs', async () => {
    const stock = await (await fetch(`${urls.stock}/metrics`)).text();
    expect(stock).toMatch(/^stock_outbox_pending_events \d+$/m);
    expect(stock).toMatch(/^stock_outbox_oldest_pending_age_seconds [\d.e+-]+$/m);
    const catalog = await (await fetch(`${urls.catalog}/metrics`)).text();
    expect(catalog).toMatch(/^catalog_outbox_pending_messages \d+$/m);
  });

  it('npm run -s status -- --json lists every app with its URL, pid and health', async () => {
    const { stdout } = await run('npm', ['run', '-s', 'status', '--', '--json'], {
      cwd: root,
      timeout: 60_000,
    });
    const status = JSON.parse(stdout) as {
      apps: { name: string; url: string; pid: number | null; health: string }[];
      services: { name: string; url: string; health: string }[];
    };
    expect(status.apps.map((app) => app.name).sort()).toEqual(
      APP_NAMES.flatMap((app) => processesOf(app)).sort(),
    );
    for (const app of status.apps) {
      expect(app).toMatchObject({ health: 'up', url: expect.stringMatching(/^http:\/\//) });
      expect(Number.isInteger(app.pid)).toBe(true);
    }
    expect(status.services.map((service) => service.name)).toEqual(
      expect.arrayContaining([
        ...(clusterMode()
          ? ['elasticsearch-1', 'elasticsearch-2', 'elasticsearch-3']
          : ['elasticsearch']),
        'varnish',
        'smtp-sink',
        'mariadb',
        'redis',
        'rabbitmq',
      ]),
    );
    expect(status.services.find((service) => service.name === 'smtp-sink')).toMatchObject({
      health: 'up',
      url: `http://127.0.0.1:${config.SMTP_SINK_HTTP_PORT}`,
    });
  });
});
