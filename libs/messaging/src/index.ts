// RabbitMQ for every app: the connection, confirmed publishing, the reliable consumer and the Nest
// transport on it, topology and dead letters. Exported: what other rooms use; the rest stays inside.
export { AmqpConnection } from './amqp-connection';
export { AmqpHealthIndicator } from './amqp-health';
export {
  ConfirmingPublisher,
  type OutgoingMessage,
  type PublishOutcome,
} from './confirming-publisher';
export { type DeadLetter, DeadLetters } from './dead-letters';
export { MessagingError, PoisonMessageError, QueueNotFoundError } from './errors';
export { type DeadReason, MessageHeader } from './failure-policy';
export { MessageConsumers } from './message-consumers';
export { MessagingModule } from './messaging.module';
export { type ConsumerMetricsListener } from './reliable-consumer';
export {
  type BatchObserver,
  connectReliableTransport,
  type ConsumerPattern,
  consumerPattern,
  PassThroughRpcFilter,
  prefixedQueueNaming,
  type QueueNaming,
  ReliableTransport,
} from './reliable-transport';
export { type RetiredQueue, type RetirementReport, retireQueues } from './retired-queues';
export { readyMessageCount, withShortLivedChannel } from './short-lived-channel';
export {
  consumerQueueNames,
  deadLetterQueueName,
  DEFAULT_RETRY_DELAYS_MS,
  type MessagingTopology,
  normalizeRetryDelays,
  prefixedTopology,
  retryQueueName,
} from './topology';
