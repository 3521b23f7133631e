import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { TimeoutError, withTimeout } from '@shop/common';

/** An error class whose messages are written for people (ours), not by a client library. */
export type ExplainedError = abstract new (...args: never[]) => Error;

const REASON_BY_CODE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name not found',
  EHOSTUNREACH: 'host unreachable',
  PROTOCOL_CONNECTION_LOST: 'connection lost',
  ER_ACCESS_DENIED_ERROR: 'access denied',
};

/**
 * What /health says of a failed probe: the dependency and, where known, why, in our words. A
 * client library's message ("Stream isn't writeable and enableOfflineQueue options is false")
 * tells an on-call engineer nothing and leaks internals to whoever can reach /health.
 */
export function probeFailureMessage(
  key: string,
  error: unknown,
  explainedBy: readonly ExplainedError[] = [],
): string {
  if (error instanceof TimeoutError) return error.message;
  if (error instanceof Error && explainedBy.some((type) => error instanceof type)) {
    return error.message;
  }
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : null;
  const reason = typeof code === 'string' ? REASON_BY_CODE[code] : undefined;
  return reason ? `${key} is unavailable (${reason})` : `${key} is unavailable`;
}

/**
 * Turns "call the dependency" into a terminus result: up when the call resolves within the
 * timeout, down with the reason otherwise. Terminus turns any down into a 503. Errors of the
 * `explainedBy` classes keep their own message (e.g. "the stock ledger is being restored").
 */
export async function probeDependency(
  health: HealthIndicatorService,
  key: string,
  call: () => Promise<unknown>,
  timeoutMs = 2000,
  explainedBy: readonly ExplainedError[] = [],
): Promise<HealthIndicatorResult> {
  const session = health.check(key);
  try {
    // One hung dependency must not hang /health.
    await withTimeout(call(), timeoutMs, key);
    return session.up();
  } catch (error) {
    return session.down({ message: probeFailureMessage(key, error, explainedBy) });
  }
}
