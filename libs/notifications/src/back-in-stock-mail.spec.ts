import type { StockChangedEvent } from '@shop/contracts';
import type { BackInStockSubscription } from '@shop/persistence';
import { BackInStockMail, restockClaimToken, type SubscriptionQueue } from './back-in-stock-mail';
import type { OutgoingMail } from './back-in-stock-message';
import type { MailSender } from './smtp-mailer';

interface Row extends BackInStockSubscription {
  claimToken: string | null;
  claimedAt: Date | null;
}

/** BackInStockRepository's compare-and-sets, in memory. */
class MemorySubscriptions implements SubscriptionQueue {
  readonly rows: Row[] = [];
  failFinish = 0;

  add(productId: number, email: string): Row {
    const row: Row = {
      id: this.rows.length + 1,
      productId,
      email,
      status: 'pending',
      round: 1,
      subscribedAt: new Date(0),
      sentAt: null,
      claimToken: null,
      claimedAt: null,
    };
    this.rows.push(row);
    return row;
  }

  pendingFor(productId: number, afterId = 0, limit = 1000): Promise<BackInStockSubscription[]> {
    return Promise.resolve(
      this.rows
        .filter(
          (row) => row.productId === productId && row.status === 'pending' && row.id > afterId,
        )
        .slice(0, limit)
        .map((row) => ({ ...row })),
    );
  }

  claim(id: number, token: string, at: Date, staleBefore: Date): Promise<boolean> {
    const row = this.rows.find((candidate) => candidate.id === id);
    const free =
      row !== undefined &&
      row.status === 'pending' &&
      (row.claimToken === null ||
        row.claimToken === token ||
        (row.claimedAt !== null && row.claimedAt < staleBefore));
    if (free) {
      row.claimToken = token;
      row.claimedAt = at;
    }
    return Promise.resolve(free);
  }

  finish(
    id: number,
    token: string,
    outcome: Parameters<SubscriptionQueue['finish']>[2],
  ): Promise<boolean> {
    if (this.failFinish > 0) {
      this.failFinish -= 1;
      return Promise.reject(new Error('MySQL is unavailable'));
    }
    const row = this.rows.find((candidate) => candidate.id === id);
    if (!row || row.status !== 'pending' || row.claimToken !== token) return Promise.resolve(false);
    row.status = outcome.status;
    row.sentAt = outcome.status === 'sent' ? outcome.at : null;
    row.claimToken = null;
    row.claimedAt = null;
    return Promise.resolve(true);
  }
}

/** An SMTP server stand-in that records what it accepted and can fail on chosen recipients. */
class RecordingSender implements MailSender {
  readonly accepted: OutgoingMail[] = [];
  readonly failures = new Map<string, Error>();

  send(mail: OutgoingMail): Promise<{ accepted: string[]; response: string }> {
    const failure = this.failures.get(mail.to);
    if (failure !== undefined) return Promise.reject(failure);
    this.accepted.push(mail);
    return Promise.resolve({ accepted: [mail.to], response: '250 OK' });
  }

  to(email: string): OutgoingMail[] {
    return this.accepted.filter((mail) => mail.to === email);
  }
}

function restocked(id: number, version: number, stock = 5): StockChangedEvent {
  return {
    id,
    stock,
    delta: stock,
    version,
    reason: 'increment',
    occurredAt: new Date(0).toISOString(),
  };
}

describe('BackInStockMail', () => {
  const settings = { from: 'Shop <shop@example.com>', publicUrl: 'http://shop.test', pageSize: 2 };
  let subscriptions: MemorySubscriptions;
  let sender: RecordingSender;
  let now: Date;
  const notifier = (): BackInStockMail =>
    new BackInStockMail(
      subscriptions,
      { nameOf: (id) => Promise.resolve(id === 1 ? 'Blazer' : null) },
      sender,
      settings,
      undefined,
      () => now,
    );

  beforeEach(() => {
    subscriptions = new MemorySubscriptions();
    sender = new RecordingSender();
    now = new Date('2026-01-01T00:00:00Z');
  });

  it('mails each pending subscriber of the product once, in order, across pages, and marks each sent', async () => {
    for (const who of ['a', 'b', 'c', 'd', 'e']) subscriptions.add(1, `${who}@x.test`);
    subscriptions.add(2, 'other@x.test');
    expect(await notifier().handle(restocked(1, 10))).toEqual({ sent: 5, rejected: 0, skipped: 0 });
    expect(sender.accepted.map((mail) => mail.to)).toEqual([
      'a@x.test',
      'b@x.test',
      'c@x.test',
      'd@x.test',
      'e@x.test',
    ]);
    expect(sender.accepted[0].subject).toBe('Back in stock: Blazer');
    expect(subscriptions.rows.map((row) => row.status)).toEqual([
      'sent',
      'sent',
      'sent',
      'sent',
      'sent',
      'pending',
    ]);
    // The same event again (a redelivery after the ack was lost): nobody is mailed twice.
    expect(await notifier().handle(restocked(1, 10))).toEqual({ sent: 0, rejected: 0, skipped: 0 });
    expect(sender.accepted).toHaveLength(5);
  });

  it('after a crash between two sends, the redelivered event sends the rest and not the first', async () => {
    for (const who of ['a', 'b', 'c']) subscriptions.add(1, `${who}@x.test`);
    const crash = new Error('connection lost');
    sender.failures.set('b@x.test', crash);
    await expect(notifier().handle(restocked(1, 10))).rejects.toBe(crash);
    expect(subscriptions.rows.map((row) => row.status)).toEqual(['sent', 'pending', 'pending']);
    // b stays claimed by the event: another restock does not take it while that one may retry…
    expect(subscriptions.rows[1].claimToken).toBe(restockClaimToken({ id: 1, version: 10 }));

    sender.failures.clear();
    expect(await notifier().handle(restocked(1, 12))).toEqual({ sent: 1, rejected: 0, skipped: 1 });
    // …but the same event, redelivered, takes its claim over.
    expect(await notifier().handle(restocked(1, 10))).toEqual({ sent: 1, rejected: 0, skipped: 0 });
    expect(sender.accepted.map((mail) => mail.to)).toEqual(['a@x.test', 'c@x.test', 'b@x.test']);
    expect(subscriptions.rows.every((row) => row.status === 'sent')).toBe(true);
  });

  it('takes over a claim older than the lease (its event was dead-lettered)', async () => {
    const row = subscriptions.add(1, 'a@x.test');
    row.claimToken = 'restock:1:3';
    row.claimedAt = new Date(now.getTime() - 11 * 60_000);
    expect(await notifier().handle(restocked(1, 10))).toEqual({ sent: 1, rejected: 0, skipped: 0 });
    row.status = 'pending';
    row.claimToken = 'restock:1:11';
    row.claimedAt = new Date(now.getTime() - 60_000);
    expect(await notifier().handle(restocked(1, 12))).toEqual({ sent: 0, rejected: 0, skipped: 1 });
  });

  it('marks an address the server refuses for good as rejected and mails the others', async () => {
    for (const who of ['a', 'b', 'c']) subscriptions.add(1, `${who}@x.test`);
    sender.failures.set(
      'b@x.test',
      Object.assign(new Error("Can't send mail - all recipients were rejected"), {
        code: 'EENVELOPE',
        responseCode: 550,
      }),
    );
    expect(await notifier().handle(restocked(1, 10))).toEqual({ sent: 2, rejected: 1, skipped: 0 });
    expect(subscriptions.rows.map((row) => row.status)).toEqual(['sent', 'rejected', 'sent']);
  });

  it('retries a failing mark instead of letting the event resend an accepted email', async () => {
    subscriptions.add(1, 'a@x.test');
    subscriptions.failFinish = 2;
    expect(await notifier().handle(restocked(1, 10))).toEqual({ sent: 1, rejected: 0, skipped: 0 });
    expect(subscriptions.rows[0].status).toBe('sent');
    expect(sender.accepted).toHaveLength(1);
  });

  it('does nothing for an event that left the product at 0', async () => {
    subscriptions.add(1, 'a@x.test');
    expect(await notifier().handle(restocked(1, 10, 0))).toEqual({
      sent: 0,
      rejected: 0,
      skipped: 0,
    });
    expect(sender.accepted).toEqual([]);
  });
});
