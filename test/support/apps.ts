import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, urls } from './stack';

/**
 * Kills and restarts the stack's app processes, for crash tests. They start the way `npm run up`
 * starts them: scripts/stack/app.sh (compiled from this checkout, a daemon of its own, PID
 * recorded in .stack/pids, output appended to .stack/logs). An app is every process of it: in
 * cluster mode (`npm run up -- --cluster`) catalog-api, stock-api and sync-worker run twice, and a
 * test that stops "the sync worker" must stop both for what it means to hold.
 */
/** The stack's apps (scripts/stack/common.sh, SINGLE_APPS). */
export const APP_NAMES = ['catalog-api', 'stock-api', 'sync-worker', 'storefront', 'live'] as const;
export type AppName = (typeof APP_NAMES)[number];
/** One process: an app's first, or cluster mode's second (scripts/stack/common.sh, SECOND_APPS). */
export type ProcessName = AppName | 'catalog-api-2' | 'stock-api-2' | 'sync-worker-2';

const root = join(__dirname, '..', '..');
const pidFile = (name: ProcessName): string => join(root, '.stack', 'pids', `${name}.pid`);
/** Each app process's own address, not through Varnish. */
export const processUrl: Record<ProcessName, string> = {
  'catalog-api': urls.catalog,
  'stock-api': urls.stock,
  'sync-worker': urls.syncWorker,
  storefront: urls.storefront,
  live: urls.live,
  'catalog-api-2': urls.catalog2,
  'stock-api-2': urls.stock2,
  'sync-worker-2': urls.syncWorker2,
};
const healthUrl = (name: ProcessName): string => `${processUrl[name]}/health`;

/** Whether the stack runs in cluster mode (scripts/stack/common.sh, CLUSTER_MARKER). */
export function clusterMode(): boolean {
  return existsSync(join(root, '.stack', 'cluster'));
}

/** The processes of `app` in the stack's mode: one, or two in cluster mode for the scaled ones. */
export function processesOf(app: AppName): ProcessName[] {
  if (clusterMode() && (app === 'catalog-api' || app === 'stock-api' || app === 'sync-worker')) {
    return [app, `${app}-2`];
  }
  return [app];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function appPid(name: ProcessName): number {
  if (!existsSync(pidFile(name))) throw new Error(`${name} was not started by this checkout`);
  return Number(readFileSync(pidFile(name), 'utf8').trim());
}

/** One process, SIGKILL by default: no shutdown hook runs, as in a crash. */
export async function killProcess(
  name: ProcessName,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  const pid = appPid(name);
  process.kill(pid, signal);
  await eventually(async () => (alive(pid) ? undefined : true), { what: `${name} exit` });
}

/** Every process of `app` (see processesOf); each one is gone when this resolves. */
export async function killApp(app: AppName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  await Promise.all(processesOf(app).map((name) => killProcess(name, signal)));
}

/** One process, as `npm run up` starts it, with `env` on top of this test's environment. */
export async function startProcess(
  name: ProcessName,
  env: Record<string, string> = {},
): Promise<number> {
  await promisify(execFile)('bash', [join(root, 'scripts', 'stack', 'app.sh'), 'start', name], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  await eventually(async () => ((await fetch(healthUrl(name))).ok ? true : undefined), {
    what: `${name} healthy after restart`,
    timeoutMs: 60_000,
  });
  return appPid(name);
}

/** Every process of `app`, each with `env`; resolves with the first one's pid. */
export async function startApp(app: AppName, env: Record<string, string> = {}): Promise<number> {
  const pids = await Promise.all(processesOf(app).map((name) => startProcess(name, env)));
  return pids[0];
}

/** Starts every process of `app` that does not run: fault tests end with the stack whole. */
export async function ensureAppRunning(app: AppName): Promise<void> {
  for (const name of processesOf(app)) {
    let running = false;
    try {
      running = alive(appPid(name));
    } catch {
      running = false;
    }
    if (!running) await startProcess(name);
  }
}

/** A second process of an app, started by a test (not by the stack) on a port of its own. */
export interface AppInstance {
  readonly pid: number;
  readonly url: string;
  /** Default SIGKILL (a crash); resolves once the process exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts another process of `app` from this checkout's build with `portVariable` set to `port`
 * (e.g. a second live gateway on LIVE_PORT=3014), waits until its /health answers 200. Output is
 * appended to .stack/logs/<app>-<port>.log. The caller stops it (afterAll), and only it.
 */
export async function startAppInstance(
  app: AppName,
  portVariable: string,
  port: number,
  env: Record<string, string> = {},
): Promise<AppInstance> {
  const main = join(root, 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run up)`);
  const log = openSync(join(root, '.stack', 'logs', `${app}-${port}.log`), 'a');
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: { ...process.env, ...env, [portVariable]: String(port) },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${app} on port ${port} did not start`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
        return (await fetch(`${url}/health`)).ok ? true : undefined;
      },
      { what: `${app} on port ${port} healthy`, timeoutMs: 60_000 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid, url, stop };
}
