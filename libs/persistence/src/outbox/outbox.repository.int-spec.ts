import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { OutboxRepository } from './outbox.repository';

describe('OutboxRepository (MySQL)', () => {
  let test: TestDatabase;
  let outbox: OutboxRepository;

  beforeAll(async () => {
    test = await createTestDatabase();
    outbox = new OutboxRepository(test.db);
  });

  afterAll(async () => {
    await test?.drop();
  });

  beforeEach(async () => {
    await test.db.deleteFrom('outbox').execute();
  });

  const appendMany = async (count: number): Promise<number[]> => {
    const ids: number[] = [];
    for (let index = 0; index < count; index += 1) {
      ids.push(
        await outbox.append(test.db, {
          aggregateType: 'product',
          aggregateId: index,
          eventType: 'product.upserted',
          payload: { n: index, text: 'naïve – ünïcødé ✓' },
        }),
      );
    }
    return ids;
  };

  it('claims unpublished messages oldest first and forgets published ones', async () => {
    const before = Date.now();
    const ids = await appendMany(5);
    const batch = await outbox.claimBatch(3);
    expect(batch.map((message) => message.id)).toEqual(ids.slice(0, 3));
    expect(batch[0]).toMatchObject({
      aggregateType: 'product',
      aggregateId: '0',
      eventType: 'product.upserted',
      attempts: 0,
      lastError: null,
    });
    expect(JSON.parse(batch[1].payloadJson)).toEqual({ n: 1, text: 'naïve – ünïcødé ✓' });
    // The database default for created_at is UTC like the client's clock, not hours off.
    expect(batch[0].createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);

    await outbox.markPublished(ids.slice(0, 3));
    expect(await outbox.countUnpublished()).toBe(2);
    const remaining = await outbox.claimBatch(10);
    expect(remaining.map((message) => message.id)).toEqual(ids.slice(3));
    expect(await outbox.oldestUnpublishedAt()).toEqual(remaining[0].createdAt);
    await outbox.markPublished(ids.slice(3));
    expect(await outbox.oldestUnpublishedAt()).toBeNull();
  });

  it("keeps the writing request's id with the row (null without one)", async () => {
    const event = { aggregateType: 'product', aggregateId: 1, eventType: 'product.upserted' };
    await outbox.append(test.db, { ...event, payload: {}, correlationId: 'req-42' });
    await outbox.append(test.db, { ...event, payload: {} });
    const batch = await outbox.claimBatch(10);
    expect(batch.map((message) => message.correlationId)).toEqual(['req-42', null]);
  });

  it('counts failures and keeps the message claimable', async () => {
    const [id] = await appendMany(1);
    await outbox.markFailed(id, new Error('broker unreachable'));
    await outbox.markFailed(id, 'still unreachable');
    const [message] = await outbox.claimBatch(1);
    expect(message).toMatchObject({ id, attempts: 2, lastError: 'still unreachable' });
  });

  it('gives each row to one relay at a time (FOR UPDATE SKIP LOCKED)', async () => {
    const ids = await appendMany(4);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimedFirst: number[] = [];
    let signalClaimed!: () => void;
    const claimed = new Promise<void>((resolve) => (signalClaimed = resolve));

    const firstRelay = outbox.withClaimedBatch(2, async (messages, trx) => {
      claimedFirst = messages.map((message) => message.id);
      signalClaimed();
      await held;
      await outbox.markPublished(claimedFirst, trx);
    });
    await claimed;
    const claimedSecond = await outbox.withClaimedBatch(10, async (messages, trx) => {
      await outbox.markPublished(
        messages.map((message) => message.id),
        trx,
      );
      return messages.map((message) => message.id);
    });
    release();
    await firstRelay;

    expect(claimedFirst).toEqual(ids.slice(0, 2));
    expect(claimedSecond).toEqual(ids.slice(2));
    expect(await outbox.countUnpublished()).toBe(0);
  });

  it('leaves the batch unpublished when the relay throws', async () => {
    await appendMany(2);
    await expect(
      outbox.withClaimedBatch(10, async (messages, trx) => {
        await outbox.markPublished(
          messages.map((message) => message.id),
          trx,
        );
        throw new Error('publish failed');
      }),
    ).rejects.toThrow('publish failed');
    expect(await outbox.countUnpublished()).toBe(2);
  });

  it('prunes published messages older than a cut-off', async () => {
    const ids = await appendMany(3);
    await outbox.markPublished(ids.slice(0, 2), test.db, new Date('2020-01-01T00:00:00Z'));
    expect(await outbox.prunePublished(new Date('2021-01-01T00:00:00Z'))).toBe(2);
    expect(await outbox.countUnpublished()).toBe(1);
    expect(await outbox.prunePublished(new Date())).toBe(0);
  });

  it('prunes the earliest published first and never an unpublished row', async () => {
    const ids = await appendMany(4);
    await outbox.markPublished([ids[2]], test.db, new Date('2020-01-01T00:00:00Z'));
    await outbox.markPublished([ids[0]], test.db, new Date('2020-02-01T00:00:00Z'));
    await outbox.markPublished([ids[1]], test.db, new Date('2020-03-01T00:00:00Z'));
    const remaining = async (): Promise<number[]> =>
      (await test.db.selectFrom('outbox').select('id').orderBy('id').execute()).map((r) => r.id);

    expect(await outbox.prunePublished(new Date('2021-01-01T00:00:00Z'), 2)).toBe(2);
    expect(await remaining()).toEqual([ids[1], ids[3]]);
    expect(await outbox.prunePublished(new Date('2021-01-01T00:00:00Z'), 2)).toBe(1);
    expect(await remaining()).toEqual([ids[3]]);
    expect(await outbox.countUnpublished()).toBe(1);
  });
});
