import autocannon from 'autocannon';

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

export interface LoadOptions {
  label: string;
  url: string;
  method?: 'GET' | 'PUT' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  durationSeconds?: number;
  /** One request body per call, e.g. to vary the product a PUT touches. */
  requests?: autocannon.Request[];
}

/**
 * One bounded load run (loopback only, stops by itself after `durationSeconds`), reduced to the
 * figures the benchmarks print.
 */
export async function measureLoad(options: LoadOptions): Promise<LoadFigures> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    requests: options.requests,
    connections: options.connections ?? 50,
    duration: options.durationSeconds ?? 10,
  });
  return {
    label: options.label,
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
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
