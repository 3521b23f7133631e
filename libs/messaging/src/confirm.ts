import type { ConfirmChannel, Message, Options } from 'amqplib';
import { PublishRejectedError, PublishTimeoutError, UnroutableMessageError } from './errors';
import { errorMessage } from './logger';

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

/**
 * Publishes on a confirm channel and settles with the broker's answer: resolved on ack; rejected
 * on nack, on a closed channel, when `returned` says the (mandatory) message was unroutable, or
 * after `timeoutMs`.
 */
export function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
  timeoutMs: number,
  returned?: ReturnedMessages,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (error?: Error): void => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      if (error) {
        reject(error);
      } else {
        resolve();
      }
    };
    const timer = setTimeout(
      () => finish(new PublishTimeoutError(`no confirm within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const key = ReturnedMessages.key(exchange, routingKey, options.messageId);
    try {
      channel.publish(exchange, routingKey, content, options, (err: unknown) => {
        if (err) {
          finish(new PublishRejectedError(`not confirmed: ${errorMessage(err)}`, { cause: err }));
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
      finish(
        new PublishRejectedError(`channel unusable: ${errorMessage(error)}`, { cause: error }),
      );
    }
  });
}
