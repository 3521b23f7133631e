import { STATUS_CODES } from 'node:http';
import { InvalidProductIdError } from '@shop/contracts';

/** The one error shape every app answers with: `{ statusCode, error, message }`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** A domain error class and the HTTP status it stands for in this app. */
export type ErrorStatusMapping = readonly [
  errorClass: abstract new (...args: never[]) => Error,
  status: number,
];

/**
 * Errors every app maps the same way, after its own mappings: a product id is parsed by one
 * function wherever it comes from, so a bad one is a 400 in every app.
 */
const SHARED_MAPPINGS: readonly ErrorStatusMapping[] = [[InvalidProductIdError, 400]];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * What the log keeps of a failure: its stack and, for an error that wraps a client library's
 * (a dependency down), that cause's own text, which the client's message deliberately leaves out.
 */
export function errorLogDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = error.stack ?? error.message;
  const { cause } = error;
  if (cause === undefined) return own;
  return `${own}\ncaused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : JSON.stringify(cause)}`;
}

/** Nest's ValidationPipe answers `message: string[]`; clients get one readable sentence. */
export function messageOf(response: unknown, fallback: string): string {
  if (typeof response === 'string') return response;
  if (isRecord(response)) {
    const { message } = response;
    if (Array.isArray(message)) return message.map(String).join('; ');
    if (typeof message === 'string') return message;
  }
  return fallback;
}

/**
 * Maps anything thrown to a status and a message safe to show a client: HttpExceptions keep
 * theirs, mapped domain errors get their status and own message, Fastify's client errors (bad
 * JSON, wrong content type, body too large) keep their 4xx, and everything else is a 500 whose
 * details stay in the log.
 */
export function classifyError(
  error: unknown,
  mappings: readonly ErrorStatusMapping[],
): { status: number; message: string; unexpected: boolean } {
  for (const [errorClass, status] of [...mappings, ...SHARED_MAPPINGS]) {
    // A mapped 5xx (a dependency down) still gets its detail logged: its message is for clients.
    if (error instanceof errorClass) {
      return { status, message: error.message, unexpected: status >= 500 };
    }
  }
  if (isRecord(error)) {
    const getStatus = error['getStatus'];
    const getResponse = error['getResponse'];
    if (typeof getStatus === 'function' && typeof getResponse === 'function') {
      const status = Number((getStatus as () => unknown).call(error));
      const fallback = typeof error['message'] === 'string' ? error['message'] : 'Error';
      return {
        status,
        message: messageOf((getResponse as () => unknown).call(error), fallback),
        unexpected: status >= 500,
      };
    }
    const statusCode = error['statusCode'];
    const code = error['code'];
    if (
      typeof statusCode === 'number' &&
      statusCode >= 400 &&
      statusCode < 500 &&
      typeof code === 'string' &&
      code.startsWith('FST_')
    ) {
      const message = typeof error['message'] === 'string' ? error['message'] : 'Bad request';
      return { status: statusCode, message, unexpected: false };
    }
  }
  return { status: 500, message: 'Internal server error', unexpected: true };
}
