// Relative imports: jest's globalSetup (which loads ./stack) runs outside moduleNameMapper.
import { errorMessage } from '../../libs/common/src/error-message';
import { sleep } from '../../libs/common/src/sleep';

export interface EventuallyOptions {
  /** Default 20 s. */
  readonly timeoutMs?: number;
  /** Pause between two checks. Default 50 ms. */
  readonly intervalMs?: number;
  /** What is waited for, for the failure message. */
  readonly what?: string;
}

/**
 * Polls `check` until it returns a value other than `undefined` or `false` without throwing, and
 * resolves with that value. After `timeoutMs` it fails, naming `what` and the last error `check`
 * threw. The one polling helper of the unit, integration and end-to-end tests.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 20_000, intervalMs = 50, what = 'condition' }: EventuallyOptions = {},
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError === undefined ? '' : `: ${errorMessage(lastError)}`;
      throw new Error(`${what} did not hold within ${timeoutMs} ms${reason}`, {
        cause: lastError,
      });
    }
    await sleep(intervalMs);
  }
}

/**
 * Runs `assertions` (`expect` calls) until they pass; fails with the last failure's message
 * after `timeoutMs`.
 */
export async function eventuallyPasses(
  assertions: () => unknown,
  options: EventuallyOptions = {},
): Promise<void> {
  await eventually(async () => {
    await assertions();
    return true;
  }, options);
}
