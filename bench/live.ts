/**
 * `npm run bench:live`: the live gateway under a sale-day crowd. 2,000 WebSocket clients (the `ws`
 * package) connect through Varnish (`ws://<front>/live`, piped to the gateway), each watching one
 * of 100 products as a product page would; then 200 stock changes per second for 10 s go through
 * the admin stock PUT (also through Varnish). Prints change→client latency (from the PUT's answer
 * to a client's receipt), messages delivered per second, the gateway's memory per 1,000
 * connections, and whether any client missed the last version of its product, next to the aims
 * and to a peer measured in the same run: a bare `ws` server (bench/bare-ws.ts) fanning out the
 * same stream to as many direct clients, and the PUT rate itself.
 *
 * Options: --clients N (2000), --products N (100), --rate N (200 changes/s), --seconds N (10).
 * Each client is a socket (and Varnish's pipe holds two descriptors and a thread per socket):
 * the shell needs `ulimit -n` well above the client count.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseShopConfig } from '@shop/config';
import WebSocket from 'ws';
import { eventually } from '../test/support/eventually';
import { printCpuPerRequest, stackProcesses, startCpuCount } from './process-cpu';
import { repoRoot, requireUp } from './stack-processes';

const config = parseShopConfig(process.env);

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} must be a count`);
  return value;
}

const CLIENTS = option('clients', 2000);
const PRODUCTS = option('products', 100);
const RATE = option('rate', 200);
const SECONDS = option('seconds', 10);
/** Sockets opening at once: a crowd arrives over seconds, not in one instant. */
const CONNECT_CONCURRENCY = 50;
const BARE_PORT = 3997;
const AIM_P99_MS = 250;

const liveUrl = `${config.PUBLIC_URL.replace(/^http/, 'ws')}/live`;
const stockPutUrl = (id: number): string => `${config.PUBLIC_URL}/products/${id}/stock`;
/** Client i watches product (i mod PRODUCTS) + 1: 20 clients per product at the defaults. */
const productOf = (client: number): number => (client % PRODUCTS) + 1;

interface Receipt {
  id: number;
  version: number;
  /** performance.now() at receipt. */
  at: number;
  /** The bare peer's send time (epoch ms), absent on the gateway's frames. */
  sentAt?: number;
}

/** One client: its socket, the newest version it holds per product, and what it received. */
class BenchClient {
  readonly newest = new Map<number, number>();
  socket!: WebSocket;

  constructor(
    readonly product: number,
    private readonly receipts: Receipt[],
  ) {}

  /** Resolves once the socket is open and the first figure of its product came back. */
  open(url: string, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error('no figure within 30 s'));
      }, timeoutMs);
      const socket = new WebSocket(url);
      this.socket = socket;
      socket.on('open', () =>
        socket.send(JSON.stringify({ type: 'subscribe', products: [this.product] })),
      );
      socket.on('message', (data) => {
        const at = performance.now();
        const message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '{}') as {
          type: string;
          id: number;
          version: number;
          sentAt?: number;
        };
        if (message.type !== 'stock') return;
        if (!this.newest.has(message.id)) {
          clearTimeout(timer);
          resolve();
        } else {
          this.receipts.push({
            id: message.id,
            version: message.version,
            at,
            ...(message.sentAt === undefined ? {} : { sentAt: message.sentAt }),
          });
        }
        if (message.version > (this.newest.get(message.id) ?? -1)) {
          this.newest.set(message.id, message.version);
        }
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  close(): void {
    this.socket?.terminate();
  }
}

interface Crowd {
  clients: BenchClient[];
  receipts: Receipt[];
  failures: Map<string, number>;
  connectMs: number;
}

async function connectCrowd(url: string, count: number): Promise<Crowd> {
  const receipts: Receipt[] = [];
  const clients: BenchClient[] = [];
  const failures = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const client = new BenchClient(productOf(next), receipts);
      next += 1;
      try {
        await client.open(url);
        clients.push(client);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return { clients, receipts, failures, connectMs: performance.now() - started };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function pidOf(name: string): number | null {
  try {
    return Number(readFileSync(join(repoRoot, '.stack', 'pids', `${name}.pid`), 'utf8').trim());
  } catch {
    return null;
  }
}

function procStatus(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return match ? Number(match[1]) : Number.NaN;
}

const rssMb = (pid: number): number => procStatus(pid, 'VmRSS') / 1024;

function openFilesLimit(pid: number | 'self'): string {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((row) => row.startsWith('Max open files'));
  return line
    ? line
        .split(/\s{2,}/)
        .slice(1, 3)
        .join(' / ')
    : '?';
}

function varnishChildPid(): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'cache-main') return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

interface PutAnswer {
  id: number;
  version: number;
  answeredAt: number;
  tookMs: number;
}

/** RATE stock changes per second for SECONDS, spread round robin over the products. */
async function changeStock(): Promise<{ answers: PutAnswer[]; failed: Map<string, number> }> {
  const answers: PutAnswer[] = [];
  const failed = new Map<string, number>();
  const total = RATE * SECONDS;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  let sent = 0;
  const put = async (n: number): Promise<void> => {
    const id = (n % PRODUCTS) + 1;
    const begun = performance.now();
    try {
      const response = await fetch(stockPutUrl(id), {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${config.ADMIN_TOKEN}`,
          'content-type': 'application/json',
        },
        // Always above zero: a sold-out crossing would add page purges to what is measured.
        body: JSON.stringify({ stock: 100 + (n % 900), action: 'set' }),
      });
      const body = (await response.json()) as { version?: number; message?: string };
      const answeredAt = performance.now();
      if (response.status !== 200 || typeof body.version !== 'number') {
        // Who answered matters: Varnish's own 503 (no backend in time) or the stock API's.
        const reason = `HTTP ${response.status} ${String(body.message ?? '').slice(0, 80)}`;
        failed.set(reason, (failed.get(reason) ?? 0) + 1);
        return;
      }
      answers.push({ id, version: body.version, answeredAt, tookMs: answeredAt - begun });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      failed.set(reason, (failed.get(reason) ?? 0) + 1);
    }
  };
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
      for (; sent < due; sent += 1) pending.push(put(sent));
      if (sent < total) setTimeout(tick, 5);
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
  return { answers, failed };
}

interface RunFigures {
  run: string;
  connected: string;
  'connect s': number;
  'p50 ms': number;
  'p99 ms': number;
  'max ms': number;
  'msgs/s delivered': number;
  'delivered / sent': string;
  'MB per 1,000 conns': number | string;
  'missed last version': string;
}

/**
 * RSS growth per 1,000 sockets; below 1,000 the garbage collector's swings drown it, and a
 * gateway that still held an earlier run's garbage can shrink while the crowd connects (the
 * first run against a fresh gateway gives the clean figure).
 */
function memoryPerThousand(growthMb: number, connections: number): number | string {
  if (connections < 1000) return 'n/a (< 1,000)';
  if (growthMb <= 0) return 'n/a (GC freed more meanwhile)';
  return Math.round((growthMb / (connections / 1000)) * 10) / 10;
}

function latencyFigures(samples: number[]): Pick<RunFigures, 'p50 ms' | 'p99 ms' | 'max ms'> {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number): number => Math.round(value * 10) / 10;
  return {
    'p50 ms': round(percentile(sorted, 50)),
    'p99 ms': round(percentile(sorted, 99)),
    'max ms': round(sorted.at(-1) ?? Number.NaN),
  };
}

function deliveryRate(receipts: Receipt[], since: number): number {
  if (receipts.length === 0) return 0;
  const last = Math.max(...receipts.map((receipt) => receipt.at));
  return Math.round(receipts.length / ((last - since) / 1000));
}

function printFailures(what: string, failures: Map<string, number>): void {
  if (failures.size === 0) return;
  console.log(`\n${what}:`);
  console.table([...failures].map(([reason, count]) => ({ reason, count })));
}

async function gatewayRun(): Promise<RunFigures> {
  const gatewayPid = pidOf('live');
  if (gatewayPid === null) throw new Error('no .stack/pids/live.pid: run npm run up first');
  const varnishPid = varnishChildPid();
  const rssBefore = rssMb(gatewayPid);
  const varnishThreadsBefore = varnishPid ? procStatus(varnishPid, 'Threads') : Number.NaN;

  console.log(`connecting ${CLIENTS} clients to ${liveUrl} (${CONNECT_CONCURRENCY} at a time)…`);
  const crowd = await connectCrowd(liveUrl, CLIENTS);
  try {
    return await measureGateway(crowd, gatewayPid, rssBefore, varnishPid, varnishThreadsBefore);
  } finally {
    for (const client of crowd.clients) client.close();
  }
}

async function measureGateway(
  crowd: Crowd,
  gatewayPid: number,
  rssBefore: number,
  varnishPid: number | null,
  varnishThreadsBefore: number,
): Promise<RunFigures> {
  const rssAfter = rssMb(gatewayPid);
  console.log(
    `${crowd.clients.length} connected and subscribed in ${(crowd.connectMs / 1000).toFixed(1)} s; ` +
      `gateway RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB` +
      (varnishPid
        ? `; Varnish threads ${varnishThreadsBefore} → ${procStatus(varnishPid, 'Threads')}, ` +
          `its open-files limit ${openFilesLimit(varnishPid)}`
        : ''),
  );
  printFailures('sockets that did not get through Varnish', crowd.failures);

  // Only what the changes cause counts from here on.
  crowd.receipts.length = 0;
  console.log(`${RATE} stock PUTs per second for ${SECONDS} s through ${config.PUBLIC_URL}…`);
  const watched = stackProcesses();
  // Counted once, whether or not the shared list of stack processes already names the gateway.
  if (!watched.some((entry) => entry.pids.includes(gatewayPid))) {
    watched.unshift({ label: 'live gateway', pids: [gatewayPid] });
  }
  const cpuCount = startCpuCount(watched);
  const loadStart = performance.now();
  const { answers, failed } = await changeStock();
  const putSeconds = (performance.now() - loadStart) / 1000;
  const cpu = cpuCount();
  printFailures('stock PUTs that failed', failed);

  // The newest version of each product, as the PUTs answered it: every client must end there.
  const finalVersion = new Map<number, number>();
  for (const answer of answers) {
    finalVersion.set(answer.id, Math.max(finalVersion.get(answer.id) ?? 0, answer.version));
  }
  const missing = (): BenchClient[] =>
    crowd.clients.filter(
      (client) =>
        (client.newest.get(client.product) ?? 0) < (finalVersion.get(client.product) ?? 0),
    );
  try {
    await eventually(() => missing().length === 0, {
      what: 'every client holding the last version of its product',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
  } catch {
    // Reported below.
  }
  const missed = missing().length;

  const answeredAt = new Map(answers.map((answer) => [`${answer.id}:${answer.version}`, answer]));
  const samples: number[] = [];
  let beforeAnswer = 0;
  for (const receipt of crowd.receipts) {
    const put = answeredAt.get(`${receipt.id}:${receipt.version}`);
    if (!put) continue;
    const latency = receipt.at - put.answeredAt;
    // The gateway can beat the PUT's own answer to this process: that counts as no delay.
    if (latency < 0) beforeAnswer += 1;
    samples.push(Math.max(0, latency));
  }
  const subscribersOf = new Map<number, number>();
  for (const client of crowd.clients) {
    subscribersOf.set(client.product, (subscribersOf.get(client.product) ?? 0) + 1);
  }
  const fanout = answers.reduce((sum, answer) => sum + (subscribersOf.get(answer.id) ?? 0), 0);
  const putTimes = latencyFigures(answers.map((answer) => answer.tookMs));
  console.log(
    `PUTs: ${answers.length} answered 200 in ${putSeconds.toFixed(1)} s ` +
      `(${(answers.length / putSeconds).toFixed(0)}/s; p50 ${putTimes['p50 ms']} ms, ` +
      `p99 ${putTimes['p99 ms']} ms); ${beforeAnswer} receipts came before their PUT's answer`,
  );
  // On 2 cores every hop (stock-api, relay, RabbitMQ, sync worker, MySQL, Varnish, the gateway
  // and this process) shares the CPU: where it went says which hop the latency waits on.
  printCpuPerRequest(
    `CPU during the ${putSeconds.toFixed(1)} s of changes (${os.cpus().length} cores = ` +
      `${(os.cpus().length * putSeconds).toFixed(0)} CPU s available), per change:`,
    cpu,
    Math.max(1, answers.length),
  );
  const connected = crowd.clients.length;
  return {
    run: 'live gateway through Varnish',
    connected: `${connected} / ${CLIENTS}`,
    'connect s': Math.round(crowd.connectMs / 100) / 10,
    ...latencyFigures(samples),
    'msgs/s delivered': deliveryRate(crowd.receipts, loadStart),
    'delivered / sent': `${crowd.receipts.length} / ${fanout} (coalesced ${fanout - crowd.receipts.length})`,
    'MB per 1,000 conns': memoryPerThousand(rssAfter - rssBefore, connected),
    'missed last version': `${missed} of ${connected} clients`,
  };
}

function startBareWs(): Promise<ChildProcess> {
  const child = fork(join(__dirname, 'bare-ws.ts'), [String(BARE_PORT)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`bare ws server exited with ${code}`)));
  });
}

async function bareRun(): Promise<RunFigures> {
  const child = await startBareWs();
  const crowd: Crowd = { clients: [], receipts: [], failures: new Map(), connectMs: 0 };
  try {
    const rssBefore = rssMb(child.pid!);
    Object.assign(crowd, await connectCrowd(`ws://127.0.0.1:${BARE_PORT}`, CLIENTS));
    const rssAfter = rssMb(child.pid!);
    printFailures('sockets that did not reach the bare server', crowd.failures);
    crowd.receipts.length = 0;
    const loadStart = performance.now();
    const done = new Promise<number>((resolve) =>
      child.on('message', (message) => resolve((message as { sent: number }).sent)),
    );
    child.send({ rate: RATE, seconds: SECONDS, products: PRODUCTS });
    const sent = await done;
    const last = new Map<number, number>();
    for (let n = 0; n < sent; n += 1) last.set((n % PRODUCTS) + 1, n + 1);
    const missing = (): number =>
      crowd.clients.filter(
        (client) => (client.newest.get(client.product) ?? 0) < (last.get(client.product) ?? 0),
      ).length;
    try {
      await eventually(() => missing() === 0, {
        what: 'bare clients at the last version',
        timeoutMs: 10_000,
        intervalMs: 50,
      });
    } catch {
      // Reported below.
    }
    const samples = crowd.receipts.map((receipt) =>
      Math.max(0, performance.timeOrigin + receipt.at - (receipt.sentAt ?? 0)),
    );
    const connected = crowd.clients.length;
    return {
      run: 'peer: bare ws server, direct',
      connected: `${connected} / ${CLIENTS}`,
      'connect s': Math.round(crowd.connectMs / 100) / 10,
      ...latencyFigures(samples),
      'msgs/s delivered': deliveryRate(crowd.receipts, loadStart),
      'delivered / sent': `${crowd.receipts.length} / ${sent * (connected / PRODUCTS)}`,
      'MB per 1,000 conns': memoryPerThousand(rssAfter - rssBefore, connected),
      'missed last version': `${missing()} of ${connected} clients`,
    };
  } finally {
    for (const client of crowd.clients) client.close();
    child.kill();
  }
}

async function main(): Promise<void> {
  await requireUp(`http://127.0.0.1:${config.LIVE_PORT}/health`, 'live');
  await requireUp(`http://127.0.0.1:${config.STOCK_API_PORT}/health`, 'stock-api');
  console.log(
    `bench:live: ${CLIENTS} clients over ${PRODUCTS} products, ${RATE} changes/s for ${SECONDS} s; ` +
      `this process's open-files limit ${openFilesLimit('self')}`,
  );
  const rows: RunFigures[] = [];
  rows.push(await gatewayRun());
  rows.push(await bareRun());
  console.log('');
  console.table(rows);
  console.log(
    `aims: p99 ≤ ${AIM_P99_MS} ms from the PUT's answer to the client; no client misses the last ` +
      `version of any product (the bare server is the floor: same fan-out, no broker, no pipe)`,
  );
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
