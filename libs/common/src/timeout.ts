/** `work` did not settle within the time it was given. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * Rejects when `work` takes longer than `ms`, so one hung dependency cannot hang its caller: with
 * a `TimeoutError` naming `what`, or with the error `what` makes. `work` itself is not cancelled:
 * it settles in the background.
 */
export async function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  what: string | (() => Error),
): Promise<T> {
  const timedOut = (): Error =>
    typeof what === 'string' ? new TimeoutError(`${what} did not answer within ${ms} ms`) : what();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits for `work` but no longer than `ms`; true when it settled (resolved or rejected) in time.
 * Never rejects: for shutdown steps that must not hold up the next one.
 */
export function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = work.then(
    () => true,
    () => true,
  );
  return withTimeout(settled, ms, 'work').catch(() => false);
}
