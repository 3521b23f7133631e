import { Module, type DynamicModule } from '@nestjs/common';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { AmqpConnection } from './amqp-connection';
import { AmqpHealthIndicator } from './amqp-health';
import { ConfirmingPublisher } from './confirming-publisher';
import { DeadLetters } from './dead-letters';
import { MessageConsumers } from './message-consumers';
import type { ConsumerQueueSpec, MessagingTopology } from './topology';

export interface MessagingModuleOptions {
  /** Connection name shown by RabbitMQ, e.g. the app name. */
  readonly connectionName?: string;
  /** `appId` property on published messages. Default: `connectionName`. */
  readonly appId?: string;
  /** Default `SHOP_TOPOLOGY`. */
  readonly topology?: MessagingTopology;
  /** Confirm deadline of `ConfirmingPublisher`. Default 5000 ms. */
  readonly confirmTimeoutMs?: number;
  /** Backoff of consumers' retries. Default `DEFAULT_RETRY_DELAYS_MS`. */
  readonly retryDelaysMs?: readonly number[];
  /**
   * Consuming queues the publisher declares (see `ConfirmingPublisherOptions.declareQueues`),
   * with this module's `retryDelaysMs`.
   */
  readonly declareQueues?: readonly Omit<ConsumerQueueSpec, 'retryDelaysMs'>[];
}

/**
 * `MessagingModule.forRoot({ connectionName: 'stock-api' })` in an app module (ShopConfigModule
 * must be imported, it is global). Provides `AmqpConnection`, `ConfirmingPublisher`,
 * `MessageConsumers`, `DeadLetters` and `AmqpHealthIndicator`, injectable by class.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions = {}): DynamicModule {
    const providers = [
      {
        provide: AmqpConnection,
        inject: [SHOP_CONFIG],
        useFactory: (config: ShopConfig) =>
          new AmqpConnection({
            url: config.AMQP_URL,
            name: options.connectionName,
            topology: options.topology,
          }),
      },
      {
        provide: ConfirmingPublisher,
        inject: [AmqpConnection],
        useFactory: (connection: AmqpConnection) =>
          new ConfirmingPublisher(connection, {
            appId: options.appId ?? options.connectionName,
            confirmTimeoutMs: options.confirmTimeoutMs,
            declareQueues: options.declareQueues?.map((spec) => ({
              ...spec,
              retryDelaysMs: options.retryDelaysMs,
            })),
          }),
      },
      {
        provide: MessageConsumers,
        inject: [AmqpConnection, SHOP_CONFIG],
        useFactory: (connection: AmqpConnection, config: ShopConfig) =>
          new MessageConsumers(connection, {
            prefetch: config.AMQP_PREFETCH,
            maxAttempts: config.AMQP_MAX_DELIVERIES,
            retryDelaysMs: options.retryDelaysMs,
          }),
      },
      {
        provide: DeadLetters,
        inject: [AmqpConnection],
        useFactory: (connection: AmqpConnection) => new DeadLetters(connection),
      },
      {
        provide: AmqpHealthIndicator,
        inject: [AmqpConnection],
        useFactory: (connection: AmqpConnection) => new AmqpHealthIndicator(connection),
      },
    ];
    return {
      module: MessagingModule,
      providers,
      exports: providers.map((provider) => provider.provide),
    };
  }
}
