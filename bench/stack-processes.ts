import { fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../test/support/eventually';

export const repoRoot = join(__dirname, '..');

/** Fails the benchmark early, with the reason, when the stack it measures is not up. */
export async function requireUp(url: string, what: string): Promise<void> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (response.ok) return;
    throw new Error(`answered ${response.status}`);
  } catch (error) {
    throw new Error(`${what} is not up at ${url} (${String(error)}): run npm run up first`);
  }
}

/** Redis keys of bench/original-gateway.ts (one counter per product); bench:stock deletes them. */
export const ORIGINAL_GATEWAY_KEY_PREFIX = 'bench:original-gateway:stock:';

/** A peer a benchmark measures next to the stack, in its own process, once it is ready. */
export type Peer = 'bare-route' | 'original-gateway' | 'bare-broker';

/**
 * bench/<peer>.ts in its own process, resolved on its first message (a route listens on `argument`,
 * its port; the bare broker has declared its topology and publishes for `argument` seconds).
 */
export function startPeer(peer: Peer, argument: number): Promise<ChildProcess> {
  const child = fork(join(__dirname, `${peer}.ts`), [String(argument)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${peer} exited with ${code}`)));
  });
}

/** A second instance of a compiled app with its own environment (e.g. another index alias). */
export async function startAppInstance(
  app: string,
  env: Record<string, string>,
  healthUrl: string,
): Promise<ChildProcess> {
  const child = spawn('node', [join(repoRoot, 'dist', 'apps', app, 'src', 'main.js')], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await eventually(async () => (await fetch(healthUrl)).ok, {
      what: `${app} healthy at ${healthUrl}`,
      timeoutMs: 30_000,
      intervalMs: 250,
    });
  } catch (error) {
    child.kill();
    throw error;
  }
  return child;
}
