import type { ConfirmChannel } from 'amqplib';
import type { LoggerLike } from '@shop/common';
import { defaultLogger } from './logger';
import type { ChannelModelSource } from './managed-channel';
import { withShortLivedChannel } from './short-lived-channel';
import {
  deadLetterQueueName,
  normalizeRetryDelays,
  retryQueueName,
  type QueueBinding,
} from './topology';

/** A consuming queue that was replaced, with the bindings it had (names as declared). */
export interface RetiredQueue {
  readonly queue: string;
  readonly bindings: readonly QueueBinding[];
}

/** Why one of a retired queue's queues was left in place. */
export interface KeptQueue {
  readonly name: string;
  readonly messages: number;
  readonly consumers: number;
  readonly reason: string;
}

export interface RetirementReport {
  readonly queue: string;
  /** The main queue existed and its bindings were removed. */
  readonly unbound: boolean;
  /** Queues deleted (the main queue, its retry and `.dead` queues), in that order of work. */
  readonly deleted: readonly string[];
  /** Queues left because they still hold messages or have consumers. */
  readonly kept: readonly KeptQueue[];
}

export interface RetireQueuesOptions {
  /** The retry delays the queues were declared with. Default `DEFAULT_RETRY_DELAYS_MS`. */
  readonly retryDelaysMs?: readonly number[];
  readonly logger?: LoggerLike;
  /** What to tell an operator about a main queue that still holds messages. */
  readonly advice?: string;
}

interface QueueState {
  readonly messages: number;
  readonly consumers: number;
}

/**
 * Takes replaced queues out of service without losing what they hold. Per queue: unbind it from
 * its exchanges (so nothing new arrives), then delete its retry queues, the queue itself and its
 * `.dead` queue, each only while it holds no message and has no consumer; anything kept is logged
 * with its count. Idempotent: a queue that is gone is skipped, one that was kept is tried again
 * on the next call.
 *
 * RabbitMQ refuses `queue.delete` with `if-empty` on quorum queues, and with a connection error
 * (540 NOT_IMPLEMENTED) that would take every channel down. So emptiness is checked first, and
 * that check holds until the delete: the queue is unbound, its retry queues (which feed it) are
 * gone, and without a consumer nothing republishes into them. Every step runs on a channel of its
 * own, because a passive declare of a missing queue closes its channel.
 */
export async function retireQueues(
  source: Pick<ChannelModelSource, 'currentModel'>,
  queues: readonly RetiredQueue[],
  options: RetireQueuesOptions = {},
): Promise<RetirementReport[]> {
  const logger = options.logger ?? defaultLogger('RetiredQueues');
  const delays = normalizeRetryDelays(options.retryDelaysMs);
  const step = <R>(work: (channel: ConfirmChannel) => Promise<R>): Promise<R> =>
    withShortLivedChannel(source, work);
  const stateOf = (name: string): Promise<QueueState | undefined> =>
    step(async (channel) => {
      const ok = await channel.checkQueue(name);
      return { messages: ok.messageCount, consumers: ok.consumerCount };
    }).catch(() => undefined);

  const reports: RetirementReport[] = [];
  for (const { queue, bindings } of queues) {
    const deleted: string[] = [];
    const kept: KeptQueue[] = [];
    const main = await stateOf(queue);
    if (main) {
      for (const binding of bindings) {
        await step((channel) => channel.unbindQueue(queue, binding.exchange, binding.routingKey));
      }
    }
    // While an older worker still consumes the queue, it may retry into the retry queues: leave
    // all of it to that worker.
    const consumed = main !== undefined && main.consumers > 0;
    const retries = delays.map((delay) => retryQueueName(queue, delay));
    const deleteIfIdle = async (name: string, state: QueueState | undefined): Promise<boolean> => {
      if (!state) return true;
      if (consumed || state.messages > 0 || state.consumers > 0) {
        const reason = consumed
          ? `${queue} still has a consumer`
          : state.messages > 0
            ? 'not empty'
            : 'in use';
        kept.push({ name, ...state, reason });
        return false;
      }
      await step((channel) => channel.deleteQueue(name));
      deleted.push(name);
      return true;
    };
    let retriesGone = true;
    for (const name of retries) {
      retriesGone = (await deleteIfIdle(name, await stateOf(name))) && retriesGone;
    }
    if (!retriesGone && main && !consumed) {
      // A retry queue dead-letters back into the main queue once its TTL runs out.
      kept.push({ name: queue, ...main, reason: 'its retry queues still hold messages' });
    } else {
      await deleteIfIdle(queue, main);
    }
    const dead = deadLetterQueueName(queue);
    await deleteIfIdle(dead, await stateOf(dead));

    const report: RetirementReport = { queue, unbound: main !== undefined, deleted, kept };
    reports.push(report);
    logRetirement(report, logger, options.advice);
  }
  return reports;
}

function logRetirement(report: RetirementReport, logger: LoggerLike, advice?: string): void {
  if (report.deleted.length > 0) {
    logger.log(`retired queue ${report.queue}: deleted ${report.deleted.join(', ')}`);
  }
  for (const kept of report.kept) {
    const hint = kept.name.endsWith('.dead')
      ? 'list or replay them with the dead-letters command'
      : (advice ?? 'drain it');
    logger.warn(
      `retired queue ${kept.name} kept (${kept.reason}): ${kept.messages} message(s), ` +
        `${kept.consumers} consumer(s); it is no longer fed, ${hint}; ` +
        'the next worker start deletes it once it is empty',
    );
  }
}
