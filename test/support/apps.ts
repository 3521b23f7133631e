import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, urls } from './stack';

/**
 * Kills and restarts one of the stack's app processes, for crash tests. They start the way
 * `npm run up` starts them: scripts/stack/app.sh (compiled from this checkout, a daemon of its
 * own, PID recorded in .stack/pids, output appended to .stack/logs).
 */
export type AppName =
  | 'catalog-api'
  | 'stock-api'
  | 'sync-worker'
  | 'storefront'
  | 'live'
  // Cluster mode's second processes (scripts/stack/common.sh, SECOND_APPS).
  | 'catalog-api-2'
  | 'stock-api-2'
  | 'sync-worker-2';

const root = join(__dirname, '..', '..');
const pidFile = (app: AppName): string => join(root, '.stack', 'pids', `${app}.pid`);
/** Each app process's own /health, not through Varnish. */
export const healthUrl: Record<AppName, string> = {
  'catalog-api': `${urls.catalog}/health`,
  'stock-api': `${urls.stock}/health`,
  'sync-worker': `${urls.syncWorker}/health`,
  storefront: `${urls.storefront}/health`,
  live: `${urls.live}/health`,
  'catalog-api-2': `${urls.catalog2}/health`,
  'stock-api-2': `${urls.stock2}/health`,
  'sync-worker-2': `${urls.syncWorker2}/health`,
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function appPid(app: AppName): number {
  if (!existsSync(pidFile(app))) throw new Error(`${app} was not started by this checkout`);
  return Number(readFileSync(pidFile(app), 'utf8').trim());
}

/** SIGKILL: no shutdown hook runs, as in a crash. */
export async function killApp(app: AppName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const pid = appPid(app);
  process.kill(pid, signal);
  await eventually(async () => (alive(pid) ? undefined : true), { what: `${app} exit` });
}

export async function startApp(app: AppName, env: Record<string, string> = {}): Promise<number> {
  await promisify(execFile)('bash', [join(root, 'scripts', 'stack', 'app.sh'), 'start', app], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  await eventually(async () => ((await fetch(healthUrl[app])).ok ? true : undefined), {
    what: `${app} healthy after restart`,
    timeoutMs: 60_000,
  });
  return appPid(app);
}

/** Starts `app` again unless it runs: fault tests end with the stack whole, whatever failed. */
export async function ensureAppRunning(app: AppName): Promise<void> {
  let alive = false;
  try {
    process.kill(appPid(app), 0);
    alive = true;
  } catch {
    alive = false;
  }
  if (!alive) await startApp(app);
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
