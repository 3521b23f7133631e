import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { errorMessage, withTimeout } from '@shop/common';

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
    // One hung dependency must not hang /health.
    await withTimeout(call(), timeoutMs, key);
    return session.up();
  } catch (error) {
    return session.down({ message: errorMessage(error) });
  }
}
