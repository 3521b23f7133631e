import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, urls } from './stack';

/**
 * Kills and restarts one of the stack's app processes, for crash tests. They start the way
 * `npm run up` starts them: scripts/stack/app.sh (compiled from this checkout, a daemon of its
 * own, PID recorded in .stack/pids, output appended to .stack/logs).
 */
export type AppName = 'catalog-api' | 'stock-api' | 'sync-worker' | 'storefront' | 'live';

const root = join(__dirname, '..', '..');
const pidFile = (app: AppName): string => join(root, '.stack', 'pids', `${app}.pid`);
const healthUrl: Record<AppName, string> = {
  'catalog-api': `${urls.catalog}/health`,
  'stock-api': `${urls.stock}/health`,
  'sync-worker': `${urls.syncWorker}/health`,
  storefront: `${urls.storefront}/health`,
  live: `${urls.live}/health`,
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
