import type { LoggerLike } from '@shop/common';
import type { BatchObserver } from '@shop/messaging';

/** Ids listed per line at most: a full batch of distinct requests must not make a huge line. */
export const MAX_LOGGED_CORRELATION_IDS = 100;

/** "a, b, c" of the distinct ids, or "a, b, … (+n more)" past the cap. */
export function correlationList(
  correlationIds: readonly string[],
  max = MAX_LOGGED_CORRELATION_IDS,
): string {
  const distinct = [...new Set(correlationIds)];
  if (distinct.length === 0) return 'none';
  const shown = distinct.slice(0, max).join(', ');
  return distinct.length > max ? `${shown}, … (+${distinct.length - max} more)` : shown;
}

/**
 * One line per handled batch, naming the request ids (AMQP `correlationId`) of its messages:
 * at info when it was handled, at warn when it failed (it is retried, split or dead-lettered
 * then; the reliable consumer logs each message's fate with its id). So a request's id, from
 * the API's `X-Request-Id`, finds the worker's lines for the events it caused. One line per
 * batch, not per message: under load a batch holds hundreds of events.
 */
export class BatchLog implements BatchObserver {
  constructor(private readonly logger: LoggerLike) {}

  batch(
    name: string,
    size: number,
    durationMs: number,
    outcome: 'ok' | 'error',
    correlationIds: readonly string[] = [],
  ): void {
    const correlation = `correlation ${correlationList(correlationIds)}`;
    if (outcome === 'ok') {
      this.logger.log(`${name}: ${size} message(s) handled in ${durationMs} ms (${correlation})`);
    } else {
      this.logger.warn(`${name}: batch of ${size} failed after ${durationMs} ms (${correlation})`);
    }
  }
}

/** One observer that tells each of `observers` in turn (metrics and the batch log). */
export function observeBatchesWith(...observers: readonly BatchObserver[]): BatchObserver {
  return {
    batch: (name, size, durationMs, outcome, correlationIds) => {
      for (const observer of observers) {
        observer.batch(name, size, durationMs, outcome, correlationIds);
      }
    },
  };
}
