import { z } from 'zod';
import {
  UpstreamNotFoundError,
  UpstreamRejectedError,
  UpstreamUnavailableError,
} from './upstream-errors';

export interface FetchJsonOptions {
  service: string;
  timeoutMs: number;
  /** GET unless set; a write sends `body` as JSON. */
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
}

function reasonOf(error: unknown): string {
  // Duck-typed: fetch's abort reason is a DOMException, which is not always `instanceof Error`.
  if (typeof error !== 'object' || error === null) return String(error);
  const { name, message, cause } = error as { name?: unknown; message?: unknown; cause?: unknown };
  if (name === 'TimeoutError') return 'timed out';
  const text = typeof message === 'string' ? message : 'request failed';
  return cause instanceof Error ? `${text} (${cause.message})` : text;
}

/** The `message` of the peer's `{ statusCode, error, message }` error body, if it has one. */
function peerMessage(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && 'message' in body) {
      return typeof body.message === 'string' ? body.message : undefined;
    }
  } catch {
    // Not JSON: fall back to the status.
  }
  return undefined;
}

/**
 * Ask a peer service for a JSON document (GET, or a write with a JSON body) with a deadline
 * covering the whole exchange, and check the answer against `schema` (unknown fields are dropped;
 * a body that does not match is the peer's bug and counts as unavailable rather than rendering
 * half a page).
 */
export async function fetchJson<Schema extends z.ZodType>(
  url: string,
  schema: Schema,
  { service, timeoutMs, method = 'GET', body: requestBody, headers = {} }: FetchJsonOptions,
): Promise<z.output<Schema>> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method,
      signal,
      headers: {
        accept: 'application/json',
        ...(requestBody === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(requestBody === undefined ? {} : { body: JSON.stringify(requestBody) }),
    });
    text = await response.text();
  } catch (error) {
    throw new UpstreamUnavailableError(service, `${method} ${url}: ${reasonOf(error)}`);
  }
  if (response.status === 404) {
    throw new UpstreamNotFoundError(peerMessage(text) ?? `${service}: ${method} ${url} is 404`);
  }
  if (response.status >= 400 && response.status < 500) {
    throw new UpstreamRejectedError(
      response.status,
      peerMessage(text) ?? `${service} refused ${method} ${url} (${response.status})`,
    );
  }
  if (!response.ok) {
    throw new UpstreamUnavailableError(service, `${method} ${url} answered ${response.status}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UpstreamUnavailableError(
      service,
      `${method} ${url} answered something that is not JSON`,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new UpstreamUnavailableError(
      service,
      `${method} ${url} answered an unexpected body: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

/** Resolves when `url` answers 2xx within the deadline (for /health probes). */
export async function expectOk(url: string, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
  } catch (error) {
    throw new Error(`GET ${url}: ${reasonOf(error)}`);
  }
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
}
