/**
 * Every failure the messaging layer reports is one of these, so that a caller (an outbox relay, a
 * consumer) can tell "try again later" from "this can never work".
 */
export class MessagingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No usable channel right now (broker down, reconnecting, blocked): keep the message, retry later. */
export class PublisherUnavailableError extends MessagingError {}

/** The broker did not confirm in time. The message may still arrive: consumers dedupe by id. */
export class PublishTimeoutError extends MessagingError {}

/** The broker nacked the message, or the channel closed before its confirm. */
export class PublishRejectedError extends MessagingError {}

/** A `mandatory` publish that no queue was bound to receive. */
export class UnroutableMessageError extends MessagingError {}

/**
 * Thrown by a consumer's `parse` or `handle` to say "retrying cannot help": the message goes
 * straight to the dead-letter queue. Anything else a handler throws counts as transient.
 */
export class PoisonMessageError extends MessagingError {}

/** The queue is not declared (yet): no consumer of it has ever started. */
export class QueueNotFoundError extends MessagingError {}
