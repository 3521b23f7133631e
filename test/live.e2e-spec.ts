import { adminHeaders, config, requestJson, setStock, urls } from './support/stack';
import { startAppInstance, type AppInstance } from './support/apps';
import { LiveTestClient } from './support/live-client';

// Products of this file only (other e2e files use other ids), so no other test moves their stock.
const SNAPSHOT_ID = 1051;
const SINGLE_ID = 1052;
const BURST_ID = 1053;
const OTHER_ID = 1054;
const TWO_GATEWAYS_ID = 1055;
const FAILOVER_ID = 1056;

/** Through Varnish, as a browser reaches it. */
const liveThroughVarnish = `${urls.varnish.replace(/^http/, 'ws')}/live`;
const SECOND_GATEWAY_PORT = config.LIVE_PORT + 10;

interface StockBody {
  id: number;
  stock: number;
  version: number;
}

async function increment(id: number): Promise<StockBody> {
  const response = await requestJson<StockBody>(`${urls.varnish}/products/${id}/stock`, {
    method: 'PUT',
    headers: adminHeaders,
    body: JSON.stringify({ stock: 1, action: 'increment' }),
  });
  expect(response.status).toBe(200);
  return response.body;
}

async function currentLevel(id: number): Promise<StockBody> {
  const response = await requestJson<StockBody>(`${urls.stock}/products/${id}/stock`);
  expect(response.status).toBe(200);
  return response.body;
}

describe('live stock over WebSockets (ws://<front>/live)', () => {
  const clients: LiveTestClient[] = [];
  const open = async (url = liveThroughVarnish, reconnect = false): Promise<LiveTestClient> => {
    const client = await new LiveTestClient([url], { reconnect }).open();
    clients.push(client);
    return client;
  };

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  it('answers a subscribe with the current figure of each product', async () => {
    await setStock(SNAPSHOT_ID, 17);
    const level = await currentLevel(SNAPSHOT_ID);
    const client = await open();
    client.subscribe([SNAPSHOT_ID, OTHER_ID]);
    const figure = await client.waitForVersion(SNAPSHOT_ID, level.version);
    expect(figure).toMatchObject({
      type: 'stock',
      id: SNAPSHOT_ID,
      stock: 17,
      version: level.version,
    });
    expect(Number.isFinite(Date.parse(figure.at))).toBe(true);
    await client.waitForVersion(OTHER_ID, (await currentLevel(OTHER_ID)).version);
    expect(client.errors()).toEqual([]);
  });

  it('sends one message per change', async () => {
    const client = await open();
    client.subscribe([SINGLE_ID]);
    const start = await currentLevel(SINGLE_ID);
    await client.waitForVersion(SINGLE_ID, start.version);
    const expected: StockBody[] = [];
    for (const stock of [5, 4, 9]) {
      const changed = await setStock(SINGLE_ID, stock);
      expected.push(changed);
      // Each change is awaited before the next, so no two fall into one 250 ms window's end.
      await client.waitForVersion(SINGLE_ID, changed.version);
    }
    const changes = client.stockMessages(SINGLE_ID).filter((m) => m.version > start.version);
    expect(changes.map(({ stock, version }) => ({ stock, version }))).toEqual(
      expected.map(({ stock, version }) => ({ stock, version })),
    );
  });

  it('coalesces a burst of changes of one product and ends on the newest version', async () => {
    const client = await open();
    client.subscribe([BURST_ID]);
    await setStock(BURST_ID, 100);
    const start = await currentLevel(BURST_ID);
    await client.waitForVersion(BURST_ID, start.version);
    const burst = 20;
    const results = await Promise.all(Array.from({ length: burst }, () => increment(BURST_ID)));
    const newest = Math.max(...results.map((r) => r.version));
    expect(newest).toBe(start.version + burst);
    const last = await client.waitForVersion(BURST_ID, newest);
    expect(last.stock).toBe(100 + burst);
    const changes = client.stockMessages(BURST_ID).filter((m) => m.version > start.version);
    // Fewer messages than changes, never a step back, and the last one is the newest.
    expect(changes.length).toBeLessThan(burst);
    const versions = changes.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(changes.at(-1)).toMatchObject({ version: newest, stock: 100 + burst });
  });

  it('answers bad messages with an error and keeps the socket open', async () => {
    const client = await open();
    const bad: unknown[] = [
      'not json',
      '[1,2]',
      { type: 'nope', products: [1] },
      { type: 'subscribe' },
      { type: 'subscribe', products: [] },
      { type: 'subscribe', products: ['1'] },
      { type: 'subscribe', products: [0] },
      { type: 'subscribe', products: [1.5] },
      { type: 'subscribe', products: [1, 1] },
      { type: 'subscribe', products: [1], extra: true },
      { type: 'subscribe', products: Array.from({ length: 201 }, (_, i) => i + 1) },
    ];
    for (const message of bad) client.sendRaw(message);
    const errors = await client.waitForErrors(bad.length);
    expect(errors).toHaveLength(bad.length);
    for (const error of errors) expect(typeof error.message).toBe('string');
    expect(errors.at(-1)?.message).toMatch(/at most 200/);
    expect(client.isOpen).toBe(true);
    // Nothing of the refused subscribes was taken; a good one still works on the same socket.
    expect(client.messages.filter((m) => m.type === 'stock')).toEqual([]);
    client.subscribe([SNAPSHOT_ID]);
    await client.waitForVersion(SNAPSHOT_ID, (await currentLevel(SNAPSHOT_ID)).version);
  });

  it('accepts 200 ids in one subscribe and stops sending after an unsubscribe', async () => {
    const client = await open();
    const ids = Array.from({ length: 200 }, (_, i) => i + 1);
    client.subscribe(ids);
    await client.waitForVersion(200, (await currentLevel(200)).version);
    client.unsubscribe(ids);
    client.subscribe([OTHER_ID]);
    const before = await currentLevel(OTHER_ID);
    await client.waitForVersion(OTHER_ID, before.version);
    const count = client.stockMessages(1).length;
    // A change of a product no longer watched, then one still watched: the second arriving
    // shows the first had its chance to arrive too.
    await increment(1);
    const watched = await increment(OTHER_ID);
    await client.waitForVersion(OTHER_ID, watched.version);
    expect(client.stockMessages(1)).toHaveLength(count);
  });

  describe('two gateway processes', () => {
    let second: AppInstance | undefined;

    beforeAll(async () => {
      second = await startAppInstance('live', 'LIVE_PORT', SECOND_GATEWAY_PORT);
    }, 90_000);

    afterAll(async () => {
      await second?.stop();
    });

    const secondUrl = (): string => `${second?.url.replace(/^http/, 'ws')}/live`;

    it('deliver a change to the clients of both', async () => {
      const first = await open();
      const other = await open(secondUrl());
      first.subscribe([TWO_GATEWAYS_ID]);
      other.subscribe([TWO_GATEWAYS_ID]);
      const start = await currentLevel(TWO_GATEWAYS_ID);
      await first.waitForVersion(TWO_GATEWAYS_ID, start.version);
      await other.waitForVersion(TWO_GATEWAYS_ID, start.version);
      const changed = await setStock(TWO_GATEWAYS_ID, start.stock + 3);
      const [a, b] = await Promise.all([
        first.waitForVersion(TWO_GATEWAYS_ID, changed.version),
        other.waitForVersion(TWO_GATEWAYS_ID, changed.version),
      ]);
      expect(a).toMatchObject({ stock: changed.stock, version: changed.version });
      expect(b).toMatchObject({ stock: changed.stock, version: changed.version });
    });

    it('a killed gateway: its client reconnects to the other and ends on the right figure', async () => {
      const watcher = new LiveTestClient([secondUrl(), liveThroughVarnish], { reconnect: true });
      clients.push(watcher);
      await watcher.open();
      watcher.subscribe([FAILOVER_ID]);
      const start = await currentLevel(FAILOVER_ID);
      await watcher.waitForVersion(FAILOVER_ID, start.version);

      await second?.stop('SIGKILL');
      // Changes while the client has no gateway: it must still end on the newest.
      await setStock(FAILOVER_ID, start.stock + 1);
      const last = await setStock(FAILOVER_ID, start.stock + 2);

      const figure = await watcher.waitForVersion(FAILOVER_ID, last.version, 20_000);
      expect(figure).toMatchObject({ stock: last.stock, version: last.version });
      expect(watcher.connections).toBe(2);
      expect(watcher.isOpen).toBe(true);
    });
  });
});
