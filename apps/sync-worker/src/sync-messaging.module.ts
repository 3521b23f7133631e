import { MessagingModule } from '@shop/messaging';

/**
 * The sync worker's one RabbitMQ connection (consumers and the publisher), imported by
 * SyncWorkerModule and by SyncConsumersModule (the order worker publishes `order.confirmed`).
 * One object imported twice is one module instance in Nest, so one connection.
 */
export const SyncMessagingModule = MessagingModule.forRoot({ connectionName: 'sync-worker' });
