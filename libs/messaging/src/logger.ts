import { Logger } from '@nestjs/common';

/** What the messaging layer logs through; Nest's `Logger` (and so nestjs-pino) satisfies it. */
export interface MessagingLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export function defaultLogger(context: string): MessagingLogger {
  return new Logger(context);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return typeof error === 'string' ? error : JSON.stringify(error);
}
