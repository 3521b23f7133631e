import type { ConfirmChannel } from 'amqplib';
import { settleWithin } from '@shop/common';
import { PublisherUnavailableError, QueueNotFoundError } from './errors';
import type { ChannelModelSource } from './managed-channel';

/**
 * Runs `work` on a channel of its own, closed afterwards. For operator and inspection calls
 * (peeking at dead letters, queue depths): a passive declare of a missing queue closes the
 * channel, which must never be the publisher's or a consumer's.
 */
export async function withShortLivedChannel<R>(
  source: Pick<ChannelModelSource, 'currentModel'>,
  work: (channel: ConfirmChannel) => Promise<R>,
): Promise<R> {
  const model = source.currentModel();
  if (!model) {
    throw new PublisherUnavailableError('not connected to the broker');
  }
  const channel = await model.createConfirmChannel();
  channel.on('error', () => undefined); // reported through the failing call instead
  try {
    return await work(channel);
  } finally {
    await settleWithin(channel.close(), 5_000);
  }
}

/** Messages ready in `queue` (not counting those delivered and not yet acked). */
export async function readyMessageCount(channel: ConfirmChannel, queue: string): Promise<number> {
  try {
    return (await channel.checkQueue(queue)).messageCount;
  } catch (error) {
    throw new QueueNotFoundError(`queue ${queue} does not exist`, { cause: error });
  }
}
