import { Logger } from '@nestjs/common';
import type { LoggerLike } from '@shop/common';

/**
 * @deprecated Use `LoggerLike` from `@shop/common`; this name stays only until every branch
 * written against it is merged.
 */
export type MessagingLogger = LoggerLike;

export function defaultLogger(context: string): LoggerLike {
  return new Logger(context);
}

/** @deprecated Import them from `@shop/common`; re-exported until every branch is merged. */
export { errorMessage, settleWithin } from '@shop/common';
