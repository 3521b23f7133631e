import type { MessageFields, MessageProperties, Options } from 'amqplib';

/**
 * Headers this layer writes. Attempts are counted in our own header because every retry is a
 * republished copy: the broker's delivery count starts again at 0 for each copy.
 */
export const MessageHeader = {
  /** Failed handling attempts so far (absent on a fresh message). */
  Attempts: 'x-attempts',
  Error: 'x-error',
  ErrorStack: 'x-error-stack',
  /** ISO-8601 instant of the last failure. */
  FailedAt: 'x-failed-at',
  OriginalRoutingKey: 'x-original-routing-key',
  OriginalExchange: 'x-original-exchange',
  /** Why a message is in a `.dead` queue: `poison` or `retries-exhausted`. */
  DeadReason: 'x-dead-reason',
  /** Set by a dead-letter replay. */
  ReplayedAt: 'x-replayed-at',
} as const;

export type DeadReason = 'poison' | 'retries-exhausted';

export type MessageHeaders = Record<string, unknown>;

export const MAX_ERROR_LENGTH = 1_000;
export const MAX_STACK_LENGTH = 4_000;

/** Headers RabbitMQ writes when it dead-letters or redelivers; stale on a republished copy. */
const BROKER_HEADERS = [
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-delivery-count',
];

const FAILURE_HEADERS: string[] = [
  MessageHeader.Attempts,
  MessageHeader.Error,
  MessageHeader.ErrorStack,
  MessageHeader.FailedAt,
  MessageHeader.DeadReason,
];

/** Failed attempts recorded on a message; anything unreadable counts as none. */
export function failedAttemptsSoFar(headers: MessageHeaders | undefined): number {
  const value = headers?.[MessageHeader.Attempts];
  let count: number;
  if (typeof value === 'number') {
    count = value;
  } else if (typeof value === 'bigint') {
    count = Number(value);
  } else if (typeof value === 'string' && /^\d+$/.test(value)) {
    count = Number(value);
  } else {
    return 0;
  }
  return Number.isFinite(count) && count > 0 ? Math.floor(count) : 0;
}

/** 1 for a fresh message, 2 for its first retry, and so on. */
export function attemptNumber(headers: MessageHeaders | undefined): number {
  return failedAttemptsSoFar(headers) + 1;
}

export type FailureRoute =
  | { readonly kind: 'retry'; readonly delayMs: number; readonly attempts: number }
  | { readonly kind: 'dead'; readonly reason: DeadReason; readonly attempts: number };

export interface FailureInput {
  /** Number of the attempt that just failed (1-based). */
  readonly attempt: number;
  /** Attempts allowed in total (AMQP_MAX_DELIVERIES). */
  readonly maxAttempts: number;
  /** Delay before attempt n+1 is `retryDelaysMs[min(n-1, last)]`. */
  readonly retryDelaysMs: readonly number[];
  readonly poison: boolean;
}

/** Where a failed message goes next. `attempts` is the value to write into `x-attempts`. */
export function routeFailure(input: FailureInput): FailureRoute {
  const attempts = Math.max(1, input.attempt);
  if (input.poison) {
    return { kind: 'dead', reason: 'poison', attempts };
  }
  if (attempts >= input.maxAttempts || input.retryDelaysMs.length === 0) {
    return { kind: 'dead', reason: 'retries-exhausted', attempts };
  }
  const index = Math.min(attempts - 1, input.retryDelaysMs.length - 1);
  return { kind: 'retry', delayMs: input.retryDelaysMs[index], attempts };
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function describeError(error: unknown): { message: string; stack: string } {
  if (error instanceof Error) {
    return {
      message: truncate(`${error.name}: ${error.message}`, MAX_ERROR_LENGTH),
      stack: truncate(error.stack ?? '', MAX_STACK_LENGTH),
    };
  }
  let text: string;
  try {
    text = typeof error === 'string' ? error : JSON.stringify(error);
  } catch {
    text = String(error);
  }
  return { message: truncate(text, MAX_ERROR_LENGTH), stack: '' };
}

function without(headers: MessageHeaders | undefined, names: readonly string[]): MessageHeaders {
  const copy: MessageHeaders = { ...(headers ?? {}) };
  for (const name of names) {
    delete copy[name];
  }
  return copy;
}

/** Where the message was first published, surviving any number of retry round trips. */
export function originOf(
  fields: Pick<MessageFields, 'exchange' | 'routingKey'>,
  headers: MessageHeaders | undefined,
): { exchange: string; routingKey: string } {
  const exchange = headers?.[MessageHeader.OriginalExchange];
  const routingKey = headers?.[MessageHeader.OriginalRoutingKey];
  return {
    exchange: typeof exchange === 'string' ? exchange : fields.exchange,
    routingKey: typeof routingKey === 'string' ? routingKey : fields.routingKey,
  };
}

export interface FailureDetails {
  readonly error: unknown;
  readonly attempts: number;
  readonly fields: Pick<MessageFields, 'exchange' | 'routingKey'>;
  readonly now: Date;
  /** Set when the copy goes to the dead-letter queue. */
  readonly deadReason?: DeadReason;
}

/** Headers of the copy sent to a retry or dead-letter queue. */
export function failureHeaders(
  headers: MessageHeaders | undefined,
  details: FailureDetails,
): MessageHeaders {
  const origin = originOf(details.fields, headers);
  const { message, stack } = describeError(details.error);
  const next = without(headers, [...BROKER_HEADERS, MessageHeader.DeadReason]);
  next[MessageHeader.Attempts] = details.attempts;
  next[MessageHeader.Error] = message;
  next[MessageHeader.ErrorStack] = stack;
  next[MessageHeader.FailedAt] = details.now.toISOString();
  next[MessageHeader.OriginalExchange] = origin.exchange;
  next[MessageHeader.OriginalRoutingKey] = origin.routingKey;
  if (details.deadReason) {
    next[MessageHeader.DeadReason] = details.deadReason;
  }
  return next;
}

/** Headers of a dead letter sent back to its main queue: a fresh start, origin kept. */
export function replayHeaders(headers: MessageHeaders | undefined, now: Date): MessageHeaders {
  const next = without(headers, [...BROKER_HEADERS, ...FAILURE_HEADERS]);
  next[MessageHeader.ReplayedAt] = now.toISOString();
  return next;
}

/** Publish options of a copy: the original's identity and metadata, always persistent. */
export function copyProperties(
  properties: MessageProperties,
  headers: MessageHeaders,
): Options.Publish {
  const options: Options.Publish = { persistent: true, headers };
  const keep = [
    'contentType',
    'contentEncoding',
    'messageId',
    'type',
    'timestamp',
    'correlationId',
    'appId',
    'priority',
  ] as const;
  for (const key of keep) {
    const value: unknown = properties[key];
    if (value !== undefined && value !== null) {
      (options as Record<string, unknown>)[key] = value;
    }
  }
  return options;
}
