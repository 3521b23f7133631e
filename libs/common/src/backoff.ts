export interface BackoffOptions {
  /** The delay before the first retry. */
  readonly initialMs: number;
  /** The delay never grows past this. */
  readonly maxMs: number;
  /**
   * `equal`: half of the delay is fixed and half random, so that several processes failing at
   * the same moment do not retry in step. Default `none`.
   */
  readonly jitter?: 'none' | 'equal';
  /** For tests: a source of numbers in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/**
 * Exponential backoff: the delay before retry number `attempt` (1 for the first retry) is
 * `initialMs` doubled `attempt - 1` times, capped at `maxMs`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  if (options.jitter !== 'equal') return ceiling;
  const random = options.random ?? Math.random;
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
