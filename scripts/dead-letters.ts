/*
 * Lists or replays the dead letters of the sync workers' queues.
 *
 *   npx tsx scripts/dead-letters.ts list   [queue] [--limit N] [--json]
 *   npx tsx scripts/dead-letters.ts replay [queue] [--limit N]
 *
 * Without a queue it goes through every SyncQueue. `list` only peeks (the messages stay);
 * `replay` moves them back to their main queue with a fresh attempt count.
 * Reads AMQP_URL like the apps do.
 */
import { parseArgs } from 'node:util';
import type { DynamicModule } from '@nestjs/common';
import { errorMessage } from '@shop/common';
import { ShopConfigModule } from '@shop/config';
import { OrderQueue, SyncQueue } from '@shop/contracts';
import {
  AmqpConnection,
  DeadLetters,
  MessagingModule,
  QueueNotFoundError,
  type DeadLetter,
} from '@shop/messaging';
import { runCli, withCliContext } from './cli';

interface Args {
  command: 'list' | 'replay';
  queues: string[];
  /** Named on the command line (a missing queue is then an error, not a note). */
  explicit: boolean;
  limit: number | undefined;
  json: boolean;
}

const USAGE = 'usage: dead-letters.ts list|replay [queue] [--limit N] [--json]';

function commandLine(argv: string[]): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { limit: { type: 'string' }, json: { type: 'boolean', default: false } },
      allowPositionals: true,
    });
  } catch (error) {
    throw new Error(`${errorMessage(error)}\n${USAGE}`);
  }
  const [command, ...positional] = parsed.positionals;
  if (command !== 'list' && command !== 'replay') {
    throw new Error(USAGE);
  }
  let limit: number | undefined;
  if (parsed.values.limit !== undefined) {
    limit = Number(parsed.values.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new Error(`--limit wants a positive integer\n${USAGE}`);
    }
  }
  const explicit = positional.length > 0;
  const queues = explicit
    ? positional
    : [...Object.values(SyncQueue), ...Object.values(OrderQueue)];
  return { command, queues, explicit, limit, json: parsed.values.json };
}

/** The apps' messaging module, as a command-line client of the broker. */
class DeadLettersCommandModule {}

function printLetter(letter: DeadLetter): void {
  const body = JSON.stringify(letter.body);
  console.log(
    `  - ${letter.messageId ?? '(no id)'}  type=${letter.type ?? '-'}  ` +
      `from=${letter.exchange || '(default)'}/${letter.routingKey}  attempts=${letter.attempts}  ` +
      `reason=${letter.reason}  failedAt=${letter.failedAt ?? '-'}`,
  );
  if (letter.error) {
    console.log(`      error: ${letter.error}`);
  }
  console.log(`      body:  ${body.length > 300 ? `${body.slice(0, 300)}…` : body}`);
}

async function main(): Promise<number> {
  const args = commandLine(process.argv.slice(2));
  const module: DynamicModule = {
    module: DeadLettersCommandModule,
    imports: [ShopConfigModule, MessagingModule.forRoot({ connectionName: 'dead-letters-cli' })],
  };
  let failures = 0;
  // Quiet: what this prints is the answer; a failure is reported below.
  await withCliContext(
    module,
    async (app) => {
      await app.get(AmqpConnection).waitForConnect(10_000);
      const deadLetters = app.get(DeadLetters);
      for (const queue of args.queues) {
        try {
          if (args.command === 'list') {
            const total = await deadLetters.count(queue);
            const letters = await deadLetters.list(queue, args.limit ?? 20);
            if (args.json) {
              letters.forEach((letter) => console.log(JSON.stringify(letter)));
            } else {
              console.log(
                `${queue}.dead: ${total} message(s)${total > letters.length ? `, showing ${letters.length}` : ''}`,
              );
              letters.forEach(printLetter);
            }
          } else {
            const result = await deadLetters.replay(queue, { limit: args.limit });
            console.log(
              `${queue}.dead: replayed ${result.replayed} into ${queue}, ${result.remaining} left`,
            );
          }
        } catch (error) {
          if (error instanceof QueueNotFoundError && !args.explicit) {
            console.log(`${queue}: not declared yet (its consumer has never run)`);
            continue;
          }
          failures += 1;
          console.error(`${queue}: ${errorMessage(error)}`);
        }
      }
    },
    false,
  );
  return failures === 0 ? 0 : 1;
}

runCli(main);
