import type { ConfirmChannel, GetMessage, Message } from 'amqplib';
import { errorMessage, sleep } from '@shop/common';
import { publishConfirmed, ReturnedMessages } from './confirm';
import { MessagingError } from './errors';
import {
  copyProperties,
  failedAttemptsSoFar,
  MessageHeader,
  originOf,
  replayHeaders,
  type MessageHeaders,
} from './failure-policy';
import type { ChannelModelSource } from './managed-channel';
import { readyMessageCount, withShortLivedChannel } from './short-lived-channel';
import { deadLetterQueueName } from './topology';

/** A message sitting in `<queue>.dead`, as an operator reads it. */
export interface DeadLetter {
  /** The main queue it failed in. */
  readonly queue: string;
  readonly messageId: string | undefined;
  readonly type: string | undefined;
  /** Where it was first published. */
  readonly exchange: string;
  readonly routingKey: string;
  /** Failed attempts (`x-attempts`); 0 when the broker dead-lettered it (delivery limit). */
  readonly attempts: number;
  /** `poison`, `retries-exhausted`, or the broker's reason (`delivery_limit`, …). */
  readonly reason: string;
  readonly error: string | undefined;
  readonly errorStack: string | undefined;
  readonly failedAt: string | undefined;
  readonly timestamp: Date | undefined;
  /** The decoded JSON body, or the raw text when it is not JSON. */
  readonly body: unknown;
  readonly headers: MessageHeaders;
}

export interface ReplayResult {
  readonly queue: string;
  readonly replayed: number;
  /** Still in `<queue>.dead` afterwards. */
  readonly remaining: number;
}

const REPLAY_CHUNK = 100;
/** Longest wait for peeked letters to be counted in their queue again. */
const PEEK_RETURN_WAIT_MS = 2_000;

/**
 * Operator view of the dead-letter queues. Uses a short-lived channel per call, apart from the
 * consumers' channels, so that a mistake (an unknown queue closes the channel) hurts nobody.
 */
export class DeadLetters {
  constructor(
    private readonly connection: Pick<ChannelModelSource, 'currentModel'>,
    private readonly options: { readonly confirmTimeoutMs?: number } = {},
  ) {}

  /** Messages waiting in `<queue>.dead`. */
  async count(queue: string): Promise<number> {
    return this.withChannel((channel) => this.depth(channel, deadLetterQueueName(queue)));
  }

  /**
   * Peeks at up to `limit` dead letters without removing them: each is fetched unacked, and
   * closing the channel afterwards hands them all back to the queue. Side effects: they come
   * back flagged `redelivered`, and a quorum queue puts returned messages behind the others, so
   * peeking changes the order (harmless for dead letters; the `.dead` queue has no delivery
   * limit that peeking could trip).
   */
  async list(queue: string, limit = 50): Promise<DeadLetter[]> {
    const dead = deadLetterQueueName(queue);
    const { letters, depth } = await this.withChannel(async (channel) => {
      const before = await this.depth(channel, dead);
      const taken: DeadLetter[] = [];
      while (taken.length < limit) {
        const message = await channel.get(dead, { noAck: false });
        if (!message) {
          break;
        }
        taken.push(describeDeadLetter(queue, message));
      }
      return { letters: taken, depth: before };
    });
    if (letters.length === 0) return letters;
    // A quorum queue takes the peeked letters back after the channel's close is confirmed: wait
    // (briefly) until they count again, so a count or a replay right after a peek sees them all.
    await this.withChannel(async (channel) => {
      const deadline = Date.now() + PEEK_RETURN_WAIT_MS;
      while (Date.now() < deadline && (await this.depth(channel, dead)) < depth) {
        await sleep(20);
      }
    });
    return letters;
  }

  /**
   * Moves up to `limit` dead letters back into the main queue, in queue order, each published with
   * a confirm before its dead copy is acked (a crash in between leaves a duplicate, never a
   * loss). `x-attempts` and the error headers are reset; the original routing key is kept.
   * Only what was there when the call started is moved, so a message that fails again is not
   * replayed twice by the same call.
   */
  async replay(queue: string, options: { readonly limit?: number } = {}): Promise<ReplayResult> {
    const dead = deadLetterQueueName(queue);
    const timeoutMs = this.options.confirmTimeoutMs ?? 10_000;
    return this.withChannel(async (channel) => {
      await this.depth(channel, queue);
      const waiting = await this.depth(channel, dead);
      const budget = Math.min(options.limit ?? Number.POSITIVE_INFINITY, waiting);
      const returned = new ReturnedMessages();
      channel.on('return', (message: Message) => returned.record(message));
      let replayed = 0;
      while (replayed < budget) {
        const chunk: GetMessage[] = [];
        while (chunk.length < Math.min(REPLAY_CHUNK, budget - replayed)) {
          const message = await channel.get(dead, { noAck: false });
          if (!message) {
            break;
          }
          chunk.push(message);
        }
        if (chunk.length === 0) {
          break;
        }
        const now = new Date();
        const outcomes = await Promise.allSettled(
          chunk.map((message) =>
            publishConfirmed(
              channel,
              '',
              queue,
              message.content,
              {
                ...copyProperties(message.properties, {
                  ...replayHeaders(message.properties.headers, now),
                  ...originHeaders(message),
                }),
                mandatory: true,
              },
              timeoutMs,
              returned,
            ),
          ),
        );
        let failure: unknown;
        outcomes.forEach((outcome, index) => {
          if (outcome.status === 'fulfilled') {
            channel.ack(chunk[index]);
            replayed += 1;
          } else {
            failure ??= outcome.reason;
            channel.nack(chunk[index], false, true);
          }
        });
        if (failure !== undefined) {
          throw new MessagingError(
            `replay of ${dead} stopped after ${replayed}: ${errorMessage(failure)}`,
            { cause: failure },
          );
        }
      }
      return { queue, replayed, remaining: await this.depth(channel, dead) };
    });
  }

  private depth(channel: ConfirmChannel, queue: string): Promise<number> {
    return readyMessageCount(channel, queue);
  }

  private withChannel<R>(work: (channel: ConfirmChannel) => Promise<R>): Promise<R> {
    return withShortLivedChannel(this.connection, work);
  }
}

export function describeDeadLetter(queue: string, message: Message): DeadLetter {
  const properties = message.properties;
  const headers: MessageHeaders = properties.headers ?? {};
  const text = message.content.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  const origin = deadLetterOrigin(message);
  const str = (value: unknown): string | undefined =>
    typeof value === 'string' ? value : undefined;
  const firstDeath = str(headers['x-first-death-reason']);
  return {
    queue,
    messageId: str(properties.messageId),
    type: str(properties.type),
    exchange: origin.exchange,
    routingKey: origin.routingKey,
    attempts: failedAttemptsSoFar(headers),
    reason: str(headers[MessageHeader.DeadReason]) ?? firstDeath ?? 'unknown',
    error: str(headers[MessageHeader.Error]),
    errorStack: str(headers[MessageHeader.ErrorStack]),
    failedAt: str(headers[MessageHeader.FailedAt]),
    timestamp:
      typeof properties.timestamp === 'number' ? new Date(properties.timestamp * 1000) : undefined,
    body,
    headers,
  };
}

/**
 * Where a dead letter was first published: our headers when the consumer moved it, else the
 * broker's `x-death` record when RabbitMQ dead-lettered it (delivery limit).
 */
export function deadLetterOrigin(message: Message): { exchange: string; routingKey: string } {
  const headers: MessageHeaders = message.properties.headers ?? {};
  if (typeof headers[MessageHeader.OriginalRoutingKey] === 'string') {
    return originOf(message.fields, headers);
  }
  const deaths: unknown = headers['x-death'];
  if (Array.isArray(deaths) && deaths.length > 0) {
    const first = deaths[deaths.length - 1] as { exchange?: unknown; 'routing-keys'?: unknown };
    const keys = first['routing-keys'];
    if (typeof first.exchange === 'string' && Array.isArray(keys) && typeof keys[0] === 'string') {
      return { exchange: first.exchange, routingKey: keys[0] };
    }
  }
  return originOf(message.fields, headers);
}

function originHeaders(message: Message): MessageHeaders {
  const origin = deadLetterOrigin(message);
  return {
    [MessageHeader.OriginalExchange]: origin.exchange,
    [MessageHeader.OriginalRoutingKey]: origin.routingKey,
  };
}
