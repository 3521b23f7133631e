import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from '@shop/common';

const run = promisify(execFile);

const VARNISH_DIR = resolve(__dirname, '../../../../varnish');

export interface VarnishBackends {
  storefront: number;
  catalogApi: number;
  stockApi: number;
}

/** A throw-away varnishd running the project's own VCL; for integration tests. */
export interface VarnishInstance {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts `varnishd -F` on an ephemeral port with varnish/default.vcl rendered for the given
 * backend ports (no health probes, so a backend counts as healthy until it fails). Fails loudly
 * when varnishd is not installed.
 */
export async function startVarnish(backends: VarnishBackends): Promise<VarnishInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'shop-varnish-'));
  // varnishd compiles the VCL as user varnish: the folder must be enterable.
  await chmod(dir, 0o755);
  const vcl = join(dir, 'shop.vcl');
  const workdir = join(dir, 'work');
  await run('bash', [join(VARNISH_DIR, 'render-vcl.sh'), join(VARNISH_DIR, 'default.vcl'), vcl], {
    env: {
      ...process.env,
      STOREFRONT_PORT: String(backends.storefront),
      CATALOG_API_PORT: String(backends.catalogApi),
      STOCK_API_PORT: String(backends.stockApi),
      VARNISH_PROBE: 'off',
    },
  });

  const child = spawn(
    'varnishd',
    ['-F', '-n', workdir, '-a', '127.0.0.1:0', '-f', vcl, '-s', 'malloc,32m'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const port = await Promise.race([listenPort(workdir, child), spawnError]);
    return { url: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw new Error(`varnishd did not start: ${String(error)}\n${output}`);
  }
}

/** Asks the running varnishd which port it got (it was given port 0). */
async function listenPort(workdir: string, child: ChildProcess): Promise<number> {
  let lastError: unknown;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`varnishd exited with ${child.exitCode}`);
    try {
      const { stdout } = await run('varnishadm', ['-n', workdir, 'debug.listen_address']);
      const match = /127\.0\.0\.1 (\d+)/.exec(stdout);
      if (match) return Number(match[1]);
      lastError = new Error(`unexpected answer: ${stdout}`);
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
