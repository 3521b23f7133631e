import { Gauge, type Registry } from 'prom-client';
import { withTimeout } from '@shop/common';

export interface ScrapedGaugeOptions {
  readonly name: string;
  readonly help: string;
  readonly registry: Registry;
  /** Reads the current figure (a Redis XLEN, a MySQL count…). */
  readonly read: () => Promise<number>;
  /** A scrape must not hang on a dependency that is away. Default 1000 ms. */
  readonly timeoutMs?: number;
}

/**
 * A gauge read from its source when Prometheus scrapes (prom-client's `collect`), so a backlog
 * is exact at scrape time and costs nothing between scrapes. When the source fails or is slow,
 * the scrape shows NaN (unknown) rather than a stale figure or a reassuring 0, and /metrics
 * still answers.
 */
export function scrapedGauge(options: ScrapedGaugeOptions): Gauge {
  const { read, name } = options;
  const timeoutMs = options.timeoutMs ?? 1000;
  return new Gauge({
    name,
    help: options.help,
    registers: [options.registry],
    async collect() {
      try {
        this.set(await withTimeout(read(), timeoutMs, name));
      } catch {
        this.set(Number.NaN);
      }
    },
  });
}
