import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { AmqpConnection } from './amqp-connection';

/**
 * Terminus-compatible check without a dependency on Terminus' DI:
 * `this.health.check([() => this.amqpHealth.check()])`. A `down` result makes Terminus answer 503.
 */
export class AmqpHealthIndicator {
  constructor(private readonly connection: Pick<AmqpConnection, 'isConnected' | 'isBlocked'>) {}

  check<const Key extends string = 'rabbitmq'>(
    key: Key = 'rabbitmq' as Key,
  ): HealthIndicatorResult<Key> {
    const connected = this.connection.isConnected();
    const blocked = this.connection.isBlocked();
    const result: Record<string, { status: 'up' | 'down'; message?: string }> = {
      [key]:
        connected && !blocked
          ? { status: 'up' }
          : { status: 'down', message: connected ? 'blocked by the broker' : 'not connected' },
    };
    return result as HealthIndicatorResult<Key>;
  }
}
