import type { OutboxMessage, OutboxRepository } from '@shop/persistence';
import { CatalogOutboxRelay, type ConfirmedPublisher } from './catalog-outbox-relay';

function row(id: number): OutboxMessage {
  return {
    id,
    aggregateType: 'product',
    aggregateId: String(id),
    eventType: 'product.upserted',
    payloadJson: JSON.stringify({ id, version: 1 }),
    createdAt: new Date('2026-01-01T00:00:00Z'),
    attempts: 0,
    lastError: null,
    correlationId: null,
  };
}

/** An in-memory outbox with the repository's claim/mark/prune contract. */
class FakeOutbox {
  unpublished: OutboxMessage[] = [];
  published: number[] = [];
  failed: number[] = [];
  pruneCalls: { before: Date; limit: number }[] = [];
  prunable = 0;
  pruneError: Error | undefined;
  /** Runs inside the next claim, while its round is in flight. */
  duringClaim: (() => void) | undefined;
  claims = 0;

  async withClaimedBatch<T>(
    limit: number,
    relay: (messages: OutboxMessage[], trx: unknown) => Promise<T>,
  ): Promise<T> {
    this.claims += 1;
    const batch = this.unpublished.slice(0, limit);
    const during = this.duringClaim;
    this.duringClaim = undefined;
    during?.();
    return relay(batch, {});
  }

  async markPublished(ids: readonly number[]): Promise<void> {
    this.published.push(...ids);
    this.unpublished = this.unpublished.filter((message) => !ids.includes(message.id));
  }

  async markFailed(id: number): Promise<void> {
    this.failed.push(id);
  }

  async prunePublished(before: Date, limit: number): Promise<number> {
    this.pruneCalls.push({ before, limit });
    if (this.pruneError) throw this.pruneError;
    const deleted = Math.min(limit, this.prunable);
    this.prunable -= deleted;
    return deleted;
  }
}

function relayOf(
  outbox: FakeOutbox,
  publisher: ConfirmedPublisher,
  options: ConstructorParameters<typeof CatalogOutboxRelay>[2] = {},
): CatalogOutboxRelay {
  return new CatalogOutboxRelay(outbox as unknown as OutboxRepository, publisher, options);
}

type Outgoing = Parameters<ConfirmedPublisher['publishBatch']>[0][number];

/** Confirms every message except those `refuse` names. */
const confirming = (
  refuse: (messageId: string) => boolean = () => false,
): ConfirmedPublisher & { sent: string[]; bodies: string[] } => {
  const sent: string[] = [];
  const bodies: string[] = [];
  return {
    sent,
    bodies,
    publishBatch: async (messages: readonly Outgoing[]) =>
      messages.map((message) => {
        sent.push(message.options.messageId);
        bodies.push(message.body.toString('utf8'));
        return refuse(message.options.messageId)
          ? { confirmed: false as const, error: new Error('nack') }
          : { confirmed: true as const };
      }),
  };
};

describe('CatalogOutboxRelay', () => {
  it('publishes the oldest rows in order with stable message ids and marks them', async () => {
    const outbox = new FakeOutbox();
    outbox.unpublished = [row(1), row(2), row(3)];
    const publisher = confirming();

    await expect(relayOf(outbox, publisher).relayOnce()).resolves.toEqual({
      published: 3,
      failed: 0,
    });
    expect(publisher.sent).toEqual(['outbox-1', 'outbox-2', 'outbox-3']);
    // The stored JSON goes out as it is, never parsed (a corrupt row cannot stop the relay).
    expect(publisher.bodies).toEqual([1, 2, 3].map((id) => row(id).payloadJson));
    expect(outbox.published).toEqual([1, 2, 3]);
  });

  it("publishes each row's request id as its correlationId, and none for rows without", async () => {
    const outbox = new FakeOutbox();
    outbox.unpublished = [{ ...row(1), correlationId: 'req-abc' }, row(2)];
    const options: Outgoing['options'][] = [];
    const publisher: ConfirmedPublisher = {
      publishBatch: async (messages) =>
        messages.map((message) => {
          options.push(message.options);
          return { confirmed: true as const };
        }),
    };
    await relayOf(outbox, publisher).relayOnce();
    expect(options.map((option) => option.correlationId)).toEqual(['req-abc', undefined]);
    expect(options[1]).not.toHaveProperty('correlationId');
  });

  it('marks the confirmed prefix; a refused row and the rows after it wait for the next round', async () => {
    const outbox = new FakeOutbox();
    outbox.unpublished = [row(1), row(2), row(3)];
    const publisher = confirming((messageId) => messageId === 'outbox-2');

    await expect(relayOf(outbox, publisher).relayOnce()).resolves.toEqual({
      published: 1,
      failed: 1,
    });
    expect(outbox.published).toEqual([1]);
    expect(outbox.failed).toEqual([2]);
    expect(outbox.unpublished.map((message) => message.id)).toEqual([2, 3]);
  });

  it('prunes rows published before the retention cut-off, a chunk per statement', async () => {
    const outbox = new FakeOutbox();
    outbox.prunable = 12_000;
    const now = Date.parse('2026-11-22T12:00:00Z');
    const relay = relayOf(outbox, confirming(), { retentionMs: 60 * 60 * 1000, now: () => now });
    relay.start();
    try {
      await expect(relay.pruneOnce()).resolves.toBe(12_000);
    } finally {
      await relay.stop();
    }
    expect(outbox.pruneCalls.map((call) => call.limit)).toEqual([5000, 5000, 5000]);
    expect(outbox.pruneCalls[0].before.toISOString()).toBe('2026-11-22T11:00:00.000Z');
  });

  describe('running', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('prunes once per period, not at start, and goes on relaying when a prune fails', async () => {
      const outbox = new FakeOutbox();
      outbox.pruneError = new Error('lock wait timeout');
      const relay = relayOf(outbox, confirming(), { idleMs: 100, pruneEveryMs: 1000 });
      relay.start();

      await jest.advanceTimersByTimeAsync(900);
      expect(outbox.pruneCalls).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(200);
      expect(outbox.pruneCalls).toHaveLength(1);

      outbox.pruneError = undefined;
      outbox.unpublished = [row(7)];
      await jest.advanceTimersByTimeAsync(1000);
      expect(outbox.published).toEqual([7]);
      expect(outbox.pruneCalls).toHaveLength(2);

      const stopping = relay.stop();
      await jest.advanceTimersByTimeAsync(100);
      await stopping;
    });

    it('a write notified while a round runs is relayed without waiting the idle period', async () => {
      const outbox = new FakeOutbox();
      const relay = relayOf(outbox, confirming(), { idleMs: 10_000 });
      relay.start();
      await jest.advanceTimersByTimeAsync(0);
      expect(outbox.claims).toBe(1);

      // Wakes the idle wait; the round it starts sees nothing, and a row commits meanwhile.
      outbox.duringClaim = () => {
        outbox.unpublished = [row(9)];
        relay.notify();
      };
      relay.notify();
      await jest.advanceTimersByTimeAsync(0);
      await jest.advanceTimersByTimeAsync(0);
      expect(outbox.published).toEqual([9]);

      const stopping = relay.stop();
      await jest.advanceTimersByTimeAsync(0);
      await stopping;
    });
  });
});
