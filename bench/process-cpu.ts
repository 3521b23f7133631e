import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './stack-processes';

/**
 * CPU time per process over a benchmark run, read from Linux's /proc (utime + stime, and the
 * same of the children it reaped, in clock ticks of 10 ms). On a 2-core machine every service of
 * the stack shares the cores with the load generator: this says where a run's CPU went.
 */
export interface WatchedProcess {
  label: string;
  pids: number[];
}

const TICK_MS = 10;

/** utime, stime, cutime, cstime of a process (the last two: its children that exited). */
function statTimes(pid: number | 'self'): number[] | null {
  try {
    // The command name (field 2) may hold spaces; the numeric fields start after its ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields.slice(11, 15).map(Number);
  } catch {
    return null;
  }
}

/**
 * The process's CPU and that of its children it reaped: Redis forks to rewrite its AOF (a second
 * or more of CPU at a few tens of MB), and a sale day's writes pay for those rewrites. A child
 * still running when the count ends is not in it yet.
 */
function cpuTicks(pid: number): number | null {
  const times = statTimes(pid);
  return times ? times[0] + times[1] + times[2] + times[3] : null;
}

/** This process and the load generators it ran to completion (wrk, reaped by Node). */
function loadGeneratorTicks(): number {
  const times = statTimes('self') ?? [0, 0, 0, 0];
  return times.reduce((sum, value) => sum + value, 0);
}

function pidsNamed(command: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === command) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The names of this checkout's pid files matching `pattern` (name without `.pid`). */
function stackPidNames(pattern: RegExp): string[] {
  try {
    return readdirSync(join(repoRoot, '.stack', 'pids'))
      .map((file) => file.replace(/\.pid$/, ''))
      .filter((name) => pattern.test(name));
  } catch {
    return [];
  }
}

/** The pids recorded in .stack/pids for each name (a name not running has none). */
function stackPid(...names: string[]): number[] {
  const pids: number[] = [];
  for (const name of names) {
    try {
      pids.push(
        Number(readFileSync(join(repoRoot, '.stack', 'pids', `${name}.pid`), 'utf8').trim()),
      );
    } catch {
      // not started by this checkout
    }
  }
  return pids;
}

/**
 * The stack's processes as `npm run up` leaves them, plus the machine's services. In cluster mode
 * an app's second process (`stock-api-2`) counts with its first, and the Elasticsearch nodes
 * (`elasticsearch-N`) together.
 */
export function stackProcesses(extra: WatchedProcess[] = []): WatchedProcess[] {
  return [
    ...extra,
    { label: 'stock-api', pids: stackPid('stock-api', 'stock-api-2') },
    { label: 'RabbitMQ', pids: pidsNamed('beam.smp') },
    { label: 'sync-worker', pids: stackPid('sync-worker', 'sync-worker-2') },
    { label: 'live', pids: stackPid('live') },
    // The one server, or every node of cluster mode's Redis Cluster.
    { label: 'Redis', pids: stackPid('redis', ...stackPidNames(/^redis-cluster-\d+$/)) },
    { label: 'MariaDB', pids: pidsNamed('mariadbd') },
    {
      label: 'Elasticsearch',
      pids: stackPid('elasticsearch', 'elasticsearch-1', 'elasticsearch-2', 'elasticsearch-3'),
    },
    { label: 'Varnish', pids: pidsNamed('cache-main') },
    {
      label: 'other apps',
      pids: stackPid('catalog-api', 'catalog-api-2', 'storefront'),
    },
  ].filter((watched) => watched.pids.length > 0);
}

/** The row of a CPU count that holds the benchmark's own process and the wrk runs it reaped. */
export const LOAD_GENERATOR = 'load generator (wrk and this process)';

export interface CpuSpent {
  label: string;
  cpuMs: number;
}

/** Starts counting; the returned function gives each process's CPU ms since then. */
export function startCpuCount(processes: WatchedProcess[]): () => CpuSpent[] {
  const before = processes.map((watched) => watched.pids.map((pid) => cpuTicks(pid) ?? 0));
  const generator = loadGeneratorTicks();
  return () => {
    const spent = processes.map((watched, index) => ({
      label: watched.label,
      cpuMs:
        watched.pids.reduce(
          (sum, pid, pidIndex) => sum + ((cpuTicks(pid) ?? 0) - before[index][pidIndex]),
          0,
        ) * TICK_MS,
    }));
    spent.push({
      label: LOAD_GENERATOR,
      cpuMs: (loadGeneratorTicks() - generator) * TICK_MS,
    });
    return spent;
  };
}

/** Each process's CPU over several runs (the rounds of a benchmark), by label. */
export function pooledCpu(runs: readonly (readonly CpuSpent[])[]): CpuSpent[] {
  const byLabel = new Map<string, number>();
  for (const row of runs.flat()) byLabel.set(row.label, (byLabel.get(row.label) ?? 0) + row.cpuMs);
  return [...byLabel].map(([label, cpuMs]) => ({ label, cpuMs }));
}

/** CPU per request of each process, in µs, for a run that served `requests`. */
export function printCpuPerRequest(title: string, spent: CpuSpent[], requests: number): void {
  console.log(`\n${title}`);
  console.table(
    spent
      .filter((row) => row.cpuMs > 0)
      .sort((a, b) => b.cpuMs - a.cpuMs)
      .map((row) => ({
        process: row.label,
        'CPU s': Number((row.cpuMs / 1000).toFixed(2)),
        'µs per request': Math.round((row.cpuMs * 1000) / requests),
      })),
  );
}
