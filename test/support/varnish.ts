import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { urls } from './stack';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

/** One page (or fragment) as a browser would get it through Varnish, plus its cache verdict. */
export interface PageView {
  status: number;
  headers: Headers;
  html: string;
  /** `HIT` or `MISS` (the page shell's own verdict on an ESI page). */
  cache: string | null;
  /** How often the shell object was hit before; grows while one cached object keeps serving. */
  hits: number;
}

export async function viewPage(
  path: string,
  { cookie, base = urls.varnish }: { cookie?: string; base?: string } = {},
): Promise<PageView> {
  const response = await fetch(`${base}${path}`, {
    headers: cookie === undefined ? {} : { cookie },
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: response.status,
    headers: response.headers,
    html: await response.text(),
    cache: response.headers.get('x-cache'),
    hits: Number(response.headers.get('x-cache-hits') ?? Number.NaN),
  };
}

/**
 * The text of the first element carrying `data-testid="<testId>"` (our templates put no markup
 * inside those elements), or undefined when the page has none.
 */
export function textOf(html: string, testId: string): string | undefined {
  const match = new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`).exec(html);
  return match ? decodeEntities(match[1]).trim() : undefined;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

export interface PurgeAnswer {
  status: number;
  body: { purged?: number; hard?: number; soft?: number } | string;
}

/** A PURGE by tag from this machine (inside the `purgers` ACL), as the sync-worker sends it. */
export async function purgeTags({
  hard = [],
  soft = [],
}: {
  hard?: string[];
  soft?: string[];
}): Promise<PurgeAnswer> {
  const headers: Record<string, string> = {};
  if (hard.length > 0) headers.xkey = hard.join(' ');
  if (soft.length > 0) headers['xkey-softpurge'] = soft.join(' ');
  const response = await fetch(`${urls.varnish}/`, { method: 'PURGE', headers });
  const text = await response.text();
  let body: PurgeAnswer['body'] = text;
  try {
    body = JSON.parse(text) as PurgeAnswer['body'];
  } catch {
    // Not JSON: the test gets the raw text to look at.
  }
  return { status: response.status, body };
}

/**
 * The `-n` working folder of the varnishd this checkout started (scripts/stack/varnish.sh records
 * its PID), which varnishadm needs to reach it.
 */
function varnishWorkDir(): string {
  const pidFile = join(root, '.stack', 'pids', 'varnish.pid');
  if (existsSync(pidFile)) {
    const pid = readFileSync(pidFile, 'utf8').trim();
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const index = args.indexOf('-n');
    if (index >= 0 && args[index + 1]) return args[index + 1];
  }
  return join(runtimeDir(), 'varnish', 'work');
}

/**
 * The stack's runtime folder (scripts/stack/common.sh, RUNTIME_DIR): outside the checkout, where
 * varnishd's own users can read what it is given.
 */
export function runtimeDir(): string {
  return process.env.SHOP_RUNTIME_DIR ?? '/var/tmp/beyond-lamp-shop';
}

export type BackendHealth = 'healthy' | 'sick';

/**
 * What Varnish's probes currently say about a backend (`storefront`, `catalog_api`,
 * `stock_api`), read with `varnishadm backend.list`. Every loaded VCL has its own copy of the
 * backend; the answer is `sick` only when all of them are.
 */
export async function backendHealth(backend: string): Promise<BackendHealth> {
  const { stdout } = await run('varnishadm', ['-n', varnishWorkDir(), 'backend.list'], {
    timeout: 10_000,
  });
  const lines = stdout.split('\n').filter((line) => new RegExp(`^\\S*\\.${backend}\\s`).test(line));
  if (lines.length === 0) {
    throw new Error(`varnishadm backend.list shows no backend ${backend}:\n${stdout}`);
  }
  return lines.every((line) => /\bsick\b/i.test(line)) ? 'sick' : 'healthy';
}
