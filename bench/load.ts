import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadFigures {
  label: string;
  requestsPerSecond: number;
  /** Requests answered over the whole run. */
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** Every request of a run goes to `${prefix}${n}${suffix}` for n = 1, 2, … count, 1, 2, … */
export interface PathCycle {
  prefix: string;
  suffix: string;
  count: number;
}

export interface LoadOptions {
  label: string;
  url: string;
  method?: 'GET' | 'PUT' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  durationSeconds?: number;
  /** Spreads the requests over many paths, e.g. every product's stock. Replaces `url`'s path. */
  pathCycle?: PathCycle;
}

const lua = (value: string): string => JSON.stringify(value);

/**
 * wrk's script for one run: the request (or the cycle of them) and, at the end, the figures as
 * one JSON line (`done` runs once, after every thread). wrk counts a status >= 400 as a `status`
 * error: that is the non-2xx column.
 */
function wrkScript(options: LoadOptions): string {
  const headers = Object.entries(options.headers ?? {})
    .map(([name, value]) => `[${lua(name)}] = ${lua(value)}`)
    .join(', ');
  const body = options.body === undefined ? 'nil' : lua(options.body);
  const method = lua(options.method ?? 'GET');
  const cycle = options.pathCycle;
  return `
local headers = { ${headers} }
local body = ${body}
local counter = 0
local fixed = nil
${
  cycle
    ? `request = function()
  counter = (counter % ${cycle.count}) + 1
  return wrk.format(${method}, ${lua(cycle.prefix)} .. counter .. ${lua(cycle.suffix)}, headers, body)
end`
    : `request = function()
  if fixed == nil then fixed = wrk.format(${method}, nil, headers, body) end
  return fixed
end`
}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"socketErrors":%d,"statusErrors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
`;
}

interface WrkSummary {
  requests: number;
  durationUs: number;
  p50Us: number;
  p99Us: number;
  socketErrors: number;
  statusErrors: number;
}

/**
 * One bounded load run with wrk (loopback only, stops by itself after `durationSeconds`),
 * reduced to the figures the benchmarks print. wrk is written in C: on two cores the load
 * generator takes a small share of the CPU, so what is measured is the service, not the client.
 * Its CPU lands in this process's children (see process-cpu.ts).
 */
export async function measureLoad(options: LoadOptions): Promise<LoadFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  const script = join(folder, 'load.lua');
  writeFileSync(script, wrkScript(options));
  const duration = options.durationSeconds ?? 10;
  try {
    // One wrk thread keeps up with 50 loopback connections and leaves the other core to the stack.
    const { stdout } = await run(
      'wrk',
      [
        '-t1',
        `-c${options.connections ?? 50}`,
        `-d${duration}s`,
        '--timeout',
        '5s',
        '-s',
        script,
        options.url,
      ],
      { maxBuffer: 1 << 20 },
    ).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        throw new Error('wrk is missing: install it (Debian: apt-get install wrk)');
      }
      throw error;
    });
    const line = stdout.split('\n').find((text) => text.startsWith('{"requests"'));
    if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
    const summary = JSON.parse(line) as WrkSummary;
    return {
      label: options.label,
      requestsPerSecond: summary.requests / (summary.durationUs / 1e6),
      requests: summary.requests,
      p50Ms: Math.round(summary.p50Us / 100) / 10,
      p99Ms: Math.round(summary.p99Us / 100) / 10,
      errors: summary.socketErrors,
      non2xx: summary.statusErrors,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export function printTable(title: string, rows: LoadFigures[]): void {
  console.log(`\n${title}`);
  console.table(
    rows.map((row) => ({
      run: row.label,
      'req/s': Math.round(row.requestsPerSecond),
      'p50 ms': row.p50Ms,
      'p99 ms': row.p99Ms,
      errors: row.errors,
      'non-2xx': row.non2xx,
    })),
  );
}

/** Percentile of a sample of durations (nearest rank). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * `--rounds N` of a benchmark that compares two loads: on this shared 2-core machine the speed
 * drifts by tens of percent within minutes, so both loads of a ratio are run in each round, one
 * after the other, and the aims are judged on every round together.
 */
export function roundsOption(raw: string | undefined): number {
  const rounds = Number(raw ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    throw new Error('--rounds wants an integer from 1 to 20');
  }
  return rounds;
}
