import { Test, type TestingModule } from '@nestjs/testing';
import { ShopConfigModule } from '@shop/config';
import { eventually } from '../../../test/support/eventually';
import { AmqpConnection } from './amqp-connection';
import { AmqpHealthIndicator } from './amqp-health';
import { ConfirmingPublisher } from './confirming-publisher';
import { DeadLetters } from './dead-letters';
import { AMQP_URL, RecordingLogger, testNames } from './int-test-support';
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

describe('AmqpConnection over the nodes of a cluster (AMQP_URL as a list)', () => {
  it('connects to the next node when the first does not answer, and says which', async () => {
    const logger = new RecordingLogger();
    // Nothing listens on port 1: as a node that is down.
    const down = 'amqp://guest:secret@127.0.0.1:1';
    const connection = new AmqpConnection({
      url: [down, AMQP_URL],
      name: 'messaging-int-failover',
      reconnectSeconds: 0.2,
      connectTimeoutMs: 1000,
      logger,
    });
    try {
      await connection.waitForConnect(10_000);
      expect(connection.isConnected()).toBe(true);
      expect(logger.lines).toContainEqual(
        expect.stringMatching(/^warn cannot connect to amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 /),
      );
      expect(logger.lines).toContainEqual(
        expect.stringMatching(/^log connected to amqp:\/\/.*127\.0\.0\.1:5672/),
      );
      expect(logger.lines.join('\n')).not.toContain('secret');
    } finally {
      await connection.onApplicationShutdown();
    }
  });
});
