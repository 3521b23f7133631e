/**
 * What the libs log through: plain text lines at four levels. Nest's `Logger` (and so
 * nestjs-pino's) satisfies it, and so does a test's recording object.
 */
export interface LoggerLike {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

/** Drops every line. */
export const SILENT_LOGGER: LoggerLike = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};
