import {
  ConsoleLogger,
  type DynamicModule,
  type INestApplicationContext,
  type LoggerService,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { errorMessage } from '@shop/common';

/** Contexts of Nest's own start-up lines (one per module): noise on a command line. */
const NEST_START_UP = new Set(['NestFactory', 'InstanceLoader']);

/** Nest's console logger, minus its start-up lines; what the script's objects log still shows. */
class CliLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (typeof context === 'string' && NEST_START_UP.has(context)) return;
    super.log(message, ...rest);
  }
}

/**
 * Builds the objects of a command-line run from the same Nest modules the apps import, hands them
 * to `work`, and closes the context afterwards (its shutdown hooks close the pools and clients),
 * also when `work` fails.
 */
export async function withCliContext<T>(
  module: Type<unknown> | DynamicModule,
  work: (app: INestApplicationContext) => Promise<T>,
  logger: LoggerService | false = new CliLogger(),
): Promise<T> {
  const app = await NestFactory.createApplicationContext(module, {
    logger,
    // Nest's default aborts the process on a wiring error; a script reports it and exits 1.
    abortOnError: false,
  });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/**
 * Runs a script's main: the exit code it returns (0 when it returns nothing), or its error's
 * message on stderr and exit code 1.
 */
export function runCli(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      console.error(errorMessage(error));
      process.exit(1);
    },
  );
}
