/**
 * Waits `ms`, or less: it resolves at once when `signal` aborts (and never rejects), so a loop
 * that sleeps between rounds stops without waiting the round out. The caller looks at its own
 * state (or `signal.aborted`) after it wakes.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const wake = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal?.addEventListener('abort', wake, { once: true });
  });
}
