/* Shared by the messaging *.int-spec.ts files: real RabbitMQ, unique names, cleanup. */
import { randomBytes } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import type { LoggerLike } from '@shop/common';
import { prefixedTopology, type MessagingTopology } from './topology';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Collects warnings and errors instead of printing them; tests may assert on them. */
export class RecordingLogger implements LoggerLike {
  readonly lines: string[] = [];
  log(message: string): void {
    this.lines.push(`log ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
  debug(): void {}
}

export interface TestNames {
  readonly prefix: string;
  readonly topology: MessagingTopology;
  readonly stockExchange: string;
  queue(name: string): string;
}

export function testNames(): TestNames {
  const prefix = `test-msg-${randomBytes(4).toString('hex')}`;
  const topology = prefixedTopology(prefix);
  return {
    prefix,
    topology,
    stockExchange: topology.exchanges[0].name,
    queue: (name) => `${prefix}.${name}`,
  };
}

export async function rawConnection(): Promise<ChannelModel> {
  return connect(AMQP_URL);
}

/** Deletes the given queues and the topology's exchanges; missing ones are fine. */
export async function deleteAll(
  queues: readonly string[],
  topology: MessagingTopology,
): Promise<void> {
  const connection = await rawConnection();
  try {
    const exchanges = [
      ...topology.exchanges.map((e) => e.name),
      topology.retryExchange,
      topology.deadLetterExchange,
    ];
    for (const queue of queues) {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteQueue(queue).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
    for (const exchange of exchanges) {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteExchange(exchange).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close();
  }
}

export async function messageCount(queue: string): Promise<number> {
  const connection = await rawConnection();
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}

export async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}
