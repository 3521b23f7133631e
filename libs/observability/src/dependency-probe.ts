import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/** Rejects when `work` takes longer than `ms`, so one hung dependency cannot hang /health. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Turns "call the dependency" into a terminus result: up when the call resolves within the
 * timeout, down with the reason otherwise. Terminus turns any down into a 503.
 */
export async function probeDependency(
  health: HealthIndicatorService,
  key: string,
  call: () => Promise<unknown>,
  timeoutMs = 2000,
): Promise<HealthIndicatorResult> {
  const session = health.check(key);
  try {
    await withTimeout(call(), timeoutMs, key);
    return session.up();
  } catch (error) {
    return session.down({ message: error instanceof Error ? error.message : String(error) });
  }
}
