import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { eventually } from '../../../test/support/eventually';
import { createShopLogger, SHOP_LOG_DESTINATION } from './shop-logger.module';

const run = promisify(execFile);

async function linesOf(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createShopLogger', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shop-logger-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds a lone line, then writes it when the flush interval ends', async () => {
    const file = join(dir, 'app.log');
    const logger = createShopLogger('stock-api', { LOG_LEVEL: 'info' }, file);
    logger.info({ orderId: 'o-1' }, 'order placed');

    // Fewer bytes than a write collects: nothing is written yet.
    expect(await linesOf(file)).toEqual([]);
    await eventually(async () => (await linesOf(file)).length === 1, {
      what: 'the line in the file',
      timeoutMs: 2_000,
      intervalMs: 20,
    });
    expect(await linesOf(file)).toEqual([
      expect.objectContaining({ name: 'stock-api', orderId: 'o-1', msg: 'order placed' }),
    ]);
    // Closes the file and stops the flush timer, so nothing of this test outlives it.
    const streams = logger as unknown as Record<symbol, NodeJS.WritableStream>;
    const destination = streams[pino.symbols.streamSym];
    await new Promise<void>((resolve) => {
      destination.once('close', resolve);
      destination.end();
    });
  });

  it('writes what it holds when the process exits', async () => {
    // A process of its own, logging to its stdout as the apps do: three lines, then an exit long
    // before a flush is due.
    const script = `
      const pino = require('pino');
      const options = { dest: 1, ...JSON.parse(process.argv[1]) };
      const logger = pino({ name: 'sync-worker' }, pino.destination(options));
      for (const n of [1, 2, 3]) logger.info({ n }, 'line');
      process.exit(0);
    `;
    const { stdout } = await run(
      process.execPath,
      ['-e', script, JSON.stringify(SHOP_LOG_DESTINATION)],
      { cwd: join(__dirname, '..', '..', '..') },
    );

    const lines = stdout.split('\n').filter((line) => line !== '');
    expect(lines.map((line) => (JSON.parse(line) as { n: number }).n)).toEqual([1, 2, 3]);
  });
});
