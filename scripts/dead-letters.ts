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
import { parseShopConfig } from '@shop/config';
import { SyncQueue } from '@shop/contracts';
import { AmqpConnection, DeadLetters, QueueNotFoundError, type DeadLetter } from '@shop/messaging';
import { errorMessage, SILENT_LOGGER } from '@shop/common';

interface Args {
  command: 'list' | 'replay';
  queues: string[];
  /** Named on the command line (a missing queue is then an error, not a note). */
  explicit: boolean;
  limit: number | undefined;
  json: boolean;
}

const USAGE = 'usage: dead-letters.ts list|replay [queue] [--limit N] [--json]';

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command !== 'list' && command !== 'replay') {
    throw new Error(USAGE);
  }
  let limit: number | undefined;
  let json = false;
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i];
    if (arg === '--limit') {
      limit = Number(rest[(i += 1)]);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new Error(`--limit wants a positive integer\n${USAGE}`);
      }
    } else if (arg === '--json') {
      json = true;
    } else if (arg.startsWith('--')) {
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    } else {
      positional.push(arg);
    }
  }
  const explicit = positional.length > 0;
  const queues = explicit ? positional : Object.values(SyncQueue);
  return { command, queues, explicit, limit, json };
}

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
  const args = parseArgs(process.argv.slice(2));
  const config = parseShopConfig(process.env);
  const connection = new AmqpConnection({
    url: config.AMQP_URL,
    name: 'dead-letters-cli',
    logger: SILENT_LOGGER,
  });
  let failures = 0;
  try {
    await connection.waitForConnect(10_000);
    const deadLetters = new DeadLetters(connection);
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
  } finally {
    await connection.close();
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(errorMessage(error));
    process.exit(1);
  },
);
