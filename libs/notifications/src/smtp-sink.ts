import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** A message the sink accepted (answered 250 to its DATA). */
export interface SinkMessage {
  /** Order of arrival, from 1. */
  seq: number;
  /** The Message-ID header, as sent (with its angle brackets), or null. */
  messageId: string | null;
  /** Envelope sender and recipients (MAIL FROM, RCPT TO). */
  from: string;
  to: string[];
  subject: string | null;
  /** Every header, names lower-cased, folded lines joined. */
  headers: Record<string, string>;
  /** The raw message: headers and body as transmitted. */
  raw: string;
  receivedAt: string;
}

/** A hold: the next message to `to` is kept waiting at DATA until released. */
export interface SinkHold {
  to: string;
  /** `armed`: waiting for the message; `holding`: its DATA is received, the 250 not yet sent. */
  state: 'armed' | 'holding';
  messageId: string | null;
}

/** A held message whose sender hung up before the sink answered: never accepted, not stored. */
export interface SinkDropped {
  to: string[];
  messageId: string | null;
  droppedAt: string;
}

export interface SmtpSinkOptions {
  smtpPort: number;
  httpPort: number;
  host?: string;
  /** Messages kept (oldest dropped first). Default 10,000. */
  maxMessages?: number;
  /** A held message is answered 451 (try again later) after this long. Default 120 s. */
  holdTimeoutMs?: number;
}

interface Hold {
  to: string;
  state: 'armed' | 'holding';
  messageId: string | null;
  sessionId?: string;
  /** Answers the held message: accepted, or 451 when it waited too long. */
  release?: (outcome: 'accept' | 'timeout') => void;
  /** Its sender hung up: forgets it, unanswered. */
  drop?: () => void;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Headers of a raw message: unfolded, names lower-cased (the last of a repeated name wins). */
export function parseHeaders(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = end === -1 ? raw : raw.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`), as nodemailer writes them. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(
      /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g,
      (_, _charset: string, encoding: string, text: string) => {
        if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
        const bytes = text
          .replace(/_/g, ' ')
          .replace(/=([0-9A-Fa-f]{2})/g, (__, hex: string) =>
            String.fromCharCode(parseInt(hex, 16)),
          );
        return Buffer.from(bytes, 'latin1').toString('utf8');
      },
    );
}

function addressOf(value: { address: string } | false): string {
  return value === false ? '' : value.address.toLowerCase();
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? undefined : (JSON.parse(text) as unknown);
}

/**
 * A local SMTP server that accepts every message and keeps it in memory, with an HTTP side to
 * read them: the native stack's stand-in for a real mail server (Mailpit plays it under Docker).
 *
 * SMTP (`smtpPort`): any sender, any recipient, no TLS, any AUTH. HTTP (`httpPort`):
 *   GET    /messages[?to=address]  the accepted messages, oldest first: `{ items: SinkMessage[] }`
 *   DELETE /messages               forgets them
 *   POST   /holds {"to": address}  holds the next message to that address at DATA (no answer yet)
 *   GET    /holds                  `{ holds: SinkHold[], dropped: SinkDropped[] }`
 *   DELETE /holds                  releases every held message (accepted) and disarms the rest
 *   GET    /health                 200
 *
 * A hold makes "the sender died in the middle of a send" reproducible: the sender has the email
 * on the wire and no answer. A held message is accepted only if its connection is still open when
 * it is released; if the sender hung up, it is dropped, as a real server must not deliver a
 * message it never acknowledged. A message is an accepted one exactly when its 250 went out.
 */
export class SmtpSink {
  private readonly messages: SinkMessage[] = [];
  private readonly holds: Hold[] = [];
  private readonly dropped: SinkDropped[] = [];
  private readonly smtp: SMTPServer;
  private readonly http: Server;
  private seq = 0;

  constructor(private readonly options: SmtpSinkOptions) {
    this.smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      size: MAX_MESSAGE_BYTES,
      logger: false,
      onAuth: (_auth, _session, callback) => callback(null, { user: 'sink' }),
      onData: (stream, session, callback) => this.receive(stream, session, callback),
      // The sender hung up: a message it is still waiting on was never acknowledged.
      onClose: (session) => this.holds.find((hold) => hold.sessionId === session.id)?.drop?.(),
    });
    this.smtp.on('error', () => undefined);
    this.http = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        json(response, 400, { statusCode: 400, error: 'Bad Request', message: String(error) });
      });
    });
  }

  /** Listens on both ports; resolves with the ports actually bound (0 picks a free one). */
  async start(): Promise<{ smtpPort: number; httpPort: number }> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.smtp.server.once('error', reject);
      this.smtp.listen(this.options.smtpPort, host, () => resolve());
    });
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.httpPort, host, () => resolve());
    });
    return {
      smtpPort: (this.smtp.server.address() as AddressInfo).port,
      httpPort: (this.http.address() as AddressInfo).port,
    };
  }

  async stop(): Promise<void> {
    for (const hold of [...this.holds]) hold.release?.('accept');
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await new Promise<void>((resolve) => this.smtp.close(() => resolve()));
  }

  list(to?: string): SinkMessage[] {
    const wanted = to?.toLowerCase();
    return wanted === undefined
      ? [...this.messages]
      : this.messages.filter((message) => message.to.includes(wanted));
  }

  hold(to: string): void {
    this.holds.push({ to: to.toLowerCase(), state: 'armed', messageId: null });
  }

  holdState(): { holds: SinkHold[]; dropped: SinkDropped[] } {
    return {
      holds: this.holds.map(({ to, state, messageId }) => ({ to, state, messageId })),
      dropped: [...this.dropped],
    };
  }

  /** Answers every held message (accepting it if its sender is still there); disarms the rest. */
  releaseAll(): void {
    for (const hold of [...this.holds]) {
      if (hold.release) hold.release('accept');
      else this.holds.splice(this.holds.indexOf(hold), 1);
    }
  }

  private receive(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (error?: Error | null, message?: string) => void,
  ): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => undefined);
    stream.on('end', () => {
      if (stream.sizeExceeded) {
        const error: Error & { responseCode?: number } = new Error('Message too big');
        error.responseCode = 552;
        callback(error);
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = parseHeaders(raw);
      const to = session.envelope.rcptTo.map(addressOf);
      const message: Omit<SinkMessage, 'seq' | 'receivedAt'> = {
        messageId: headers['message-id'] ?? null,
        from: addressOf(session.envelope.mailFrom),
        to,
        subject: headers['subject'] === undefined ? null : decodeEncodedWords(headers['subject']),
        headers,
        raw,
      };
      const hold = this.holds.find((entry) => entry.state === 'armed' && to.includes(entry.to));
      if (!hold) {
        callback(null, `queued as ${this.store(message).seq}`);
        return;
      }
      hold.state = 'holding';
      hold.messageId = message.messageId;
      hold.sessionId = session.id;
      const settle = (): void => {
        clearTimeout(timer);
        const index = this.holds.indexOf(hold);
        if (index !== -1) this.holds.splice(index, 1);
      };
      hold.drop = () => {
        settle();
        this.dropped.push({
          to,
          messageId: message.messageId,
          droppedAt: new Date().toISOString(),
        });
      };
      hold.release = (outcome) => {
        settle();
        if (outcome === 'timeout') {
          const error: Error & { responseCode?: number } = new Error('Held too long, try again');
          error.responseCode = 451;
          callback(error);
          return;
        }
        callback(null, `queued as ${this.store(message).seq}`);
      };
      const timer = setTimeout(
        () => hold.release?.('timeout'),
        this.options.holdTimeoutMs ?? 120_000,
      );
    });
  }

  private store(message: Omit<SinkMessage, 'seq' | 'receivedAt'>): SinkMessage {
    this.seq += 1;
    const stored: SinkMessage = { ...message, seq: this.seq, receivedAt: new Date().toISOString() };
    this.messages.push(stored);
    const max = this.options.maxMessages ?? 10_000;
    if (this.messages.length > max) this.messages.splice(0, this.messages.length - max);
    return stored;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sink');
    const key = `${request.method ?? 'GET'} ${url.pathname}`;
    switch (key) {
      case 'GET /health':
        return json(response, 200, { status: 'ok', messages: this.messages.length });
      case 'GET /messages':
        return json(response, 200, { items: this.list(url.searchParams.get('to') ?? undefined) });
      case 'DELETE /messages':
        this.messages.splice(0, this.messages.length);
        return json(response, 200, { items: [] });
      case 'GET /holds':
        return json(response, 200, this.holdState());
      case 'POST /holds': {
        const body = await readJson(request);
        const to =
          typeof body === 'object' && body !== null
            ? (body as Record<string, unknown>)['to']
            : undefined;
        if (typeof to !== 'string' || !to.includes('@')) {
          return json(response, 400, {
            statusCode: 400,
            error: 'Bad Request',
            message: 'to must be an email address',
          });
        }
        this.hold(to);
        return json(response, 201, this.holdState());
      }
      case 'DELETE /holds':
        this.releaseAll();
        return json(response, 200, this.holdState());
      default:
        return json(response, 404, { statusCode: 404, error: 'Not Found', message: `no ${key}` });
    }
  }
}
