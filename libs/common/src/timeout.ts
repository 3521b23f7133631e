/** `work` did not settle within the time it was given. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * Rejects with a `TimeoutError` when `work` takes longer than `ms`, so one hung dependency cannot
 * hang its caller. `work` itself is not cancelled: it settles in the background.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TimeoutError(`${what} did not answer within ${ms} ms`)),
      ms,
    );
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
