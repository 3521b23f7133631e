import type { ConfirmChannel, Message, Options } from 'amqplib';
import { errorMessage } from '@shop/common';
import {
  PublisherUnavailableError,
  PublishRejectedError,
  PublishTimeoutError,
  UnroutableMessageError,
} from './errors';

/**
 * Remembers which mandatory publishes the broker returned as unroutable. RabbitMQ sends the
 * basic.return before the basic.ack of the same message, so the confirm callback can ask.
 */
export class ReturnedMessages {
  private readonly keys = new Map<string, number>();

  static key(exchange: string, routingKey: string, messageId: unknown): string {
    return `${exchange}\u0000${routingKey}\u0000${typeof messageId === 'string' ? messageId : ''}`;
  }

  /** Listen with `channel.on('return', (m) => returned.record(m))`. */
  record(message: Message): void {
    const key = ReturnedMessages.key(
      message.fields.exchange,
      message.fields.routingKey,
      message.properties.messageId,
    );
    this.keys.set(key, (this.keys.get(key) ?? 0) + 1);
  }

  take(key: string): boolean {
    const count = this.keys.get(key) ?? 0;
    if (count === 0) {
      return false;
    }
    if (count === 1) {
      this.keys.delete(key);
    } else {
      this.keys.set(key, count - 1);
    }
    return true;
  }

  clear(): void {
    this.keys.clear();
  }
}

/** A message written to a confirm channel: its confirm to come, and whether the channel has room. */
export interface ConfirmedSend {
  /**
   * Resolves on the broker's ack; rejects on a nack, when `returned` says the (mandatory)
   * message was unroutable, when the channel was unusable, or when the deadline passes.
   */
  readonly confirmed: Promise<void>;
  /** False: the channel's write buffer is full, wait for its `drain` before writing more. */
  readonly hasRoom: boolean;
}

export interface ConfirmedSendOptions {
  /** The deadline named in a timeout error. */
  readonly timeoutMs: number;
  /** What is left of it (less than `timeoutMs` after waiting for room). Default `timeoutMs`. */
  readonly remainingMs?: number;
  /** Where the channel's basic.returns are recorded; needed for `mandatory` messages. */
  readonly returned?: ReturnedMessages;
}

/**
 * Writes one message on a confirm channel and hands back its confirm without waiting for it, so
 * a caller can write a batch in order and then wait for all of them. The one place that turns
 * the broker's answer (ack, nack, return, nothing) into a settled promise.
 */
export function sendConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
  { timeoutMs, remainingMs = timeoutMs, returned }: ConfirmedSendOptions,
): ConfirmedSend {
  let hasRoom = true;
  const confirmed = new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new PublishTimeoutError(`no confirm from the broker within ${timeoutMs} ms`)),
      Math.max(0, remainingMs),
    );
    const key = ReturnedMessages.key(exchange, routingKey, options.messageId);
    try {
      hasRoom = channel.publish(exchange, routingKey, content, options, (err: unknown) => {
        if (err) {
          finish(
            new PublishRejectedError(`broker did not take the message: ${errorMessage(err)}`, {
              cause: err,
            }),
          );
        } else if (options.mandatory && returned?.take(key)) {
          finish(
            new UnroutableMessageError(
              `no queue bound for ${exchange || '(default)'} / ${routingKey}`,
            ),
          );
        } else {
          finish();
        }
      });
    } catch (error) {
      // amqplib throws synchronously when the channel closed under us.
      finish(
        new PublisherUnavailableError(`channel unusable: ${errorMessage(error)}`, { cause: error }),
      );
    }
  });
  return { confirmed, hasRoom };
}

/** `sendConfirmed`, waiting for the confirm: resolves once the broker took the message. */
export function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
  timeoutMs: number,
  returned?: ReturnedMessages,
): Promise<void> {
  return sendConfirmed(channel, exchange, routingKey, content, options, { timeoutMs, returned })
    .confirmed;
}
