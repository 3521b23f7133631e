import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { errorMessage, sleep, type LoggerLike } from '@shop/common';

/** How a rebuild reaches the stock→MySQL consumer (wired by the app: RabbitMQ and MySQL). */
export interface StockBarrierTransport {
  /** Queues `token` behind every stock event waiting for the stock→MySQL consumer (confirmed). */
  send(token: string): Promise<void>;
  /** True once the consumer recorded `token` in MySQL. */
  reached(token: string): Promise<boolean>;
  /** Messages waiting in that consumer's retry queues: they come back after any barrier. */
  retriesWaiting(): Promise<number>;
}

export interface PublishedStockEventsOptions {
  pollMs?: number;
  /** How often a rebuild that is still waiting says so in the log. */
  reportEveryMs?: number;
  logger?: LoggerLike;
}

/**
 * "Every stock event already published has reached MySQL", as a promise. A ledger rebuild must
 * not read MySQL before that: the figures of the events still queued would be sold again.
 * It sends a barrier through the consumer's queue and waits until the consumer recorded it with
 * no retry pending; a consumer that is down makes it wait (the stock API answers 503 meanwhile).
 */
export class PublishedStockEvents {
  private readonly pollMs: number;
  private readonly reportEveryMs: number;
  private readonly logger: LoggerLike;

  constructor(
    private readonly transport: StockBarrierTransport,
    options: PublishedStockEventsOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 200;
    this.reportEveryMs = options.reportEveryMs ?? 10_000;
    this.logger = options.logger ?? new Logger(PublishedStockEvents.name);
  }

  /** Resolves once every stock event published before the call is applied in MySQL. */
  async awaitAppliedInMysql(signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    let reported = started;
    const report = (what: string): void => {
      if (Date.now() - reported < this.reportEveryMs) return;
      reported = Date.now();
      this.logger.warn(
        `stock ledger rebuild still waiting ${Math.round((reported - started) / 1000)} s: ${what}`,
      );
    };
    for (;;) {
      const token = randomUUID();
      await this.retrying(() => this.transport.send(token), signal, report, 'sending the barrier');
      while (!(await this.retrying(() => this.transport.reached(token), signal, report, 'MySQL'))) {
        report('the stock→MySQL consumer has not applied the events queued before the loss');
        await sleep(this.pollMs, signal);
      }
      const retries = await this.retrying(
        () => this.transport.retriesWaiting(),
        signal,
        report,
        'RabbitMQ',
      );
      // A retried event comes back behind the barrier: wait for it, then send another.
      if (retries === 0) return;
      report(`${retries} stock event(s) wait in the stock→MySQL retry queues`);
      await sleep(this.pollMs, signal);
    }
  }

  private async retrying<T>(
    call: () => Promise<T>,
    signal: AbortSignal | undefined,
    report: (what: string) => void,
    what: string,
  ): Promise<T> {
    for (;;) {
      // Every wait ends here: an abort wakes the sleep, and this ends the rebuild.
      signal?.throwIfAborted();
      try {
        return await call();
      } catch (error) {
        report(`${what}: ${errorMessage(error)}`);
        await sleep(this.pollMs * 5, signal);
      }
    }
  }
}
