import { createTransport, type Transporter } from 'nodemailer';
import type { OutgoingMail } from './back-in-stock-message';

/** What the SMTP server said when it took a message. */
export interface MailReceipt {
  accepted: string[];
  response: string;
}

/** Hands one email to an SMTP server; resolves once the server accepted it (its 250 to DATA). */
export interface MailSender {
  send(mail: OutgoingMail): Promise<MailReceipt>;
}

export interface SmtpMailerOptions {
  /** Milliseconds to connect, and to wait for the greeting (default 10 s each). */
  readonly connectTimeoutMs?: number;
  /** Milliseconds of silence on an open connection before giving up (default 60 s). */
  readonly socketTimeoutMs?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The server refused the recipient for good (a 5xx to RCPT TO): sending again would be refused
 * again, so the subscription is given up rather than retried. Anything else (connection lost, a
 * 4xx, authentication) may pass later and is retried.
 */
export function isRecipientRejected(error: unknown): boolean {
  if (!isRecord(error)) return false;
  const code = error['responseCode'];
  return error['code'] === 'EENVELOPE' && typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * nodemailer over `SMTP_URL` (`smtp://user:pass@host:587`, `smtps://...:465`). One pooled
 * connection: emails go one at a time anyway (see BackInStockMail), and a kept connection saves a
 * handshake per subscriber on a big restock.
 */
export class SmtpMailer implements MailSender {
  private readonly transport: Transporter;

  constructor(url: string, options: SmtpMailerOptions = {}) {
    const connectTimeout = options.connectTimeoutMs ?? 10_000;
    this.transport = createTransport({
      url,
      pool: true,
      maxConnections: 1,
      connectionTimeout: connectTimeout,
      greetingTimeout: connectTimeout,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
    });
  }

  async send(mail: OutgoingMail): Promise<MailReceipt> {
    const info: unknown = await this.transport.sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: mail.headers,
    });
    const accepted = isRecord(info) && Array.isArray(info['accepted']) ? info['accepted'] : [];
    return {
      accepted: accepted.map((address) =>
        isRecord(address) && typeof address['address'] === 'string'
          ? address['address']
          : String(address),
      ),
      response: isRecord(info) && typeof info['response'] === 'string' ? info['response'] : '',
    };
  }

  /** Is the server there and does it take our credentials? For health checks. */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  close(): void {
    this.transport.close();
  }

  /** Nest calls it on shutdown when the mailer is a provider: the pooled connection is closed. */
  onApplicationShutdown(): void {
    this.close();
  }
}
