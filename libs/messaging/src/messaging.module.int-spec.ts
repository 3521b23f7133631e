import { Test, type TestingModule } from '@nestjs/testing';
import { ShopConfigModule } from '@shop/config';
import { eventually } from '../../../test/support/eventually';
import { AmqpConnection } from './amqp-connection';
import { AmqpHealthIndicator } from './amqp-health';
import { ConfirmingPublisher } from './confirming-publisher';
import { DeadLetters } from './dead-letters';
import { testNames } from './int-test-support';
import { MessageConsumers } from './message-consumers';
import { MessagingModule } from './messaging.module';
import { deleteAll } from './int-test-support';

describe('MessagingModule', () => {
  const names = testNames();
  let moduleRef: TestingModule;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        ShopConfigModule,
        MessagingModule.forRoot({
          connectionName: 'messaging-int-module',
          topology: names.topology,
        }),
      ],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
  });

  afterAll(async () => {
    await moduleRef?.close();
    await deleteAll([], names.topology);
  });

  it('provides a connected connection, a ready publisher and a health check', async () => {
    const connection = moduleRef.get(AmqpConnection);
    await connection.waitForConnect();
    const publisher = moduleRef.get(ConfirmingPublisher);
    await publisher.ready();
    expect(moduleRef.get(AmqpHealthIndicator).check()).toEqual({ rabbitmq: { status: 'up' } });
    expect(moduleRef.get(MessageConsumers).defaults).toMatchObject({
      prefetch: 100,
      maxAttempts: 5,
    });
    expect(moduleRef.get(DeadLetters)).toBeInstanceOf(DeadLetters);
    await publisher.publish(names.stockExchange, 'info', { id: 1 }, { messageId: 'x', type: 't' });
  });

  it('closes the connection when the application shuts down', async () => {
    const connection = moduleRef.get(AmqpConnection);
    const health = moduleRef.get(AmqpHealthIndicator);
    await moduleRef.close();
    expect(connection.isConnected()).toBe(false);
    expect(health.check('amqp')).toEqual({ amqp: { status: 'down', message: 'not connected' } });
    await eventually(() => !connection.manager.isConnected());
  });
});
