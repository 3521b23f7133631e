import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { BackInStockRepository } from './back-in-stock.repository';

describe('BackInStockRepository (MySQL)', () => {
  let test: TestDatabase;
  let subscriptions: BackInStockRepository;
  const at = new Date('2026-01-02T03:04:05.678Z');
  const later = new Date('2026-01-02T03:14:05.678Z');

  beforeAll(async () => {
    test = await createTestDatabase();
    subscriptions = new BackInStockRepository(test.db);
  });

  afterAll(async () => {
    await test?.drop();
  });

  it('keeps one subscription per address and product, whatever the case of the address', async () => {
    const first = await subscriptions.subscribe(7, 'ada@example.com', at);
    expect(first).toEqual({
      created: true,
      subscription: {
        id: expect.any(Number),
        productId: 7,
        email: 'ada@example.com',
        status: 'pending',
        round: 1,
        subscribedAt: at,
        sentAt: null,
      },
    });
    const again = await subscriptions.subscribe(7, 'ADA@example.com', later);
    expect(again).toEqual({ created: false, subscription: first.subscription });
    const twins = await Promise.all([
      subscriptions.subscribe(8, 'bob@example.com', at),
      subscriptions.subscribe(8, 'bob@example.com', at),
    ]);
    expect(twins.map((twin) => twin.created).sort()).toEqual([false, true]);
    expect(twins[0].subscription.id).toBe(twins[1].subscription.id);
  });

  it('claims compare-and-set: free, or by the same token, or once stale; marks only what it holds', async () => {
    const { subscription } = await subscriptions.subscribe(9, 'cat@example.com', at);
    const staleBefore = new Date(at.getTime() - 600_000);
    expect(await subscriptions.claim(subscription.id, 'restock:9:1', at, staleBefore)).toBe(true);
    expect(await subscriptions.claim(subscription.id, 'restock:9:2', at, staleBefore)).toBe(false);
    expect(await subscriptions.claim(subscription.id, 'restock:9:1', later, staleBefore)).toBe(
      true,
    );
    expect(await subscriptions.finish(subscription.id, 'restock:9:2', { status: 'sent', at })).toBe(
      false,
    );
    // Once the first claim is older than the lease, another event may take it.
    const afterLease = new Date(later.getTime() + 1);
    expect(await subscriptions.claim(subscription.id, 'restock:9:2', later, afterLease)).toBe(true);
    expect(
      await subscriptions.finish(subscription.id, 'restock:9:2', { status: 'sent', at: later }),
    ).toBe(true);
    expect(await subscriptions.claim(subscription.id, 'restock:9:2', later, staleBefore)).toBe(
      false,
    );
    expect(await subscriptions.pendingFor(9)).toEqual([]);
    const [row] = await subscriptions.findByIds([subscription.id]);
    expect(row).toMatchObject({ status: 'sent', sentAt: later });
  });

  it('starts a new round when a sent subscription is asked for again', async () => {
    const { subscription } = await subscriptions.subscribe(10, 'dan@example.com', at);
    await subscriptions.claim(subscription.id, 't', at, at);
    await subscriptions.finish(subscription.id, 't', { status: 'sent', at });
    const again = await subscriptions.subscribe(10, 'dan@example.com', later);
    expect(again).toEqual({
      created: true,
      subscription: { ...subscription, round: 2, subscribedAt: later, sentAt: null },
    });
    expect((await subscriptions.pendingFor(10)).map((row) => row.id)).toEqual([subscription.id]);
  });

  it("lists a product's pending subscriptions oldest first, page by page", async () => {
    const ids: number[] = [];
    for (const who of ['e', 'f', 'g']) {
      ids.push((await subscriptions.subscribe(11, `${who}@example.com`, at)).subscription.id);
    }
    expect((await subscriptions.pendingFor(11, 0, 2)).map((row) => row.id)).toEqual(
      ids.slice(0, 2),
    );
    expect((await subscriptions.pendingFor(11, ids[1], 2)).map((row) => row.id)).toEqual([ids[2]]);
  });
});
