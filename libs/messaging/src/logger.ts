import { Logger } from '@nestjs/common';
import type { LoggerLike } from '@shop/common';

export function defaultLogger(context: string): LoggerLike {
  return new Logger(context);
}
