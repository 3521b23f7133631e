import type { SinkDropped, SinkHold, SinkMessage } from '../../libs/notifications/src/smtp-sink';
import { config } from './stack';

/**
 * The native stack's SMTP sink (scripts/stack/smtp-sink.sh) over its HTTP side: what it
 * accepted, and holds that keep one recipient's next message waiting at DATA.
 */
export class SmtpSinkClient {
  constructor(readonly url = `http://127.0.0.1:${config.SMTP_SINK_HTTP_PORT}`) {}

  /** Fails loudly, naming the sink, when it does not answer. */
  async assertUp(): Promise<void> {
    const response = await fetch(`${this.url}/health`).catch((error: unknown) => {
      throw new Error(
        `the SMTP sink does not answer at ${this.url} (npm run up starts it): ${String(error)}`,
      );
    });
    if (!response.ok) throw new Error(`the SMTP sink at ${this.url} answered ${response.status}`);
  }

  async messagesTo(address: string): Promise<SinkMessage[]> {
    const response = await fetch(`${this.url}/messages?to=${encodeURIComponent(address)}`);
    if (!response.ok) throw new Error(`GET /messages answered ${response.status}`);
    return ((await response.json()) as { items: SinkMessage[] }).items;
  }

  /** How many messages each address has received, in the order given. */
  async counts(addresses: readonly string[]): Promise<number[]> {
    return Promise.all(addresses.map(async (address) => (await this.messagesTo(address)).length));
  }

  async hold(address: string): Promise<void> {
    const response = await fetch(`${this.url}/holds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: address }),
    });
    if (response.status !== 201) throw new Error(`POST /holds answered ${response.status}`);
  }

  async holds(): Promise<{ holds: SinkHold[]; dropped: SinkDropped[] }> {
    const response = await fetch(`${this.url}/holds`);
    if (!response.ok) throw new Error(`GET /holds answered ${response.status}`);
    return (await response.json()) as { holds: SinkHold[]; dropped: SinkDropped[] };
  }

  /** Answers whatever is held and disarms the other holds. */
  async releaseAll(): Promise<void> {
    await fetch(`${this.url}/holds`, { method: 'DELETE' });
  }
}
