import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { ProcessedMessageRepository } from './processed-message.repository';

describe('ProcessedMessageRepository (MySQL)', () => {
  let test: TestDatabase;
  let processed: ProcessedMessageRepository;

  beforeAll(async () => {
    test = await createTestDatabase();
    processed = new ProcessedMessageRepository(test.db);
  });

  afterAll(async () => {
    await test?.drop();
  });

  it('records a message once per consumer', async () => {
    expect(await processed.tryRecord(test.db, 'stock-mysql', 'msg-1')).toBe(true);
    expect(await processed.tryRecord(test.db, 'stock-mysql', 'msg-1')).toBe(false);
    expect(await processed.tryRecord(test.db, 'product-search', 'msg-1')).toBe(true);
    expect(await processed.has('stock-mysql', 'msg-1')).toBe(true);
    expect(await processed.has('stock-mysql', 'msg-2')).toBe(false);
  });

  it('forgets the record when the handling transaction rolls back', async () => {
    await expect(
      test.db.transaction().execute(async (trx) => {
        expect(await processed.tryRecord(trx, 'stock-mysql', 'msg-rollback')).toBe(true);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await processed.has('stock-mysql', 'msg-rollback')).toBe(false);
    await test.db.transaction().execute(async (trx) => {
      expect(await processed.tryRecord(trx, 'stock-mysql', 'msg-rollback')).toBe(true);
    });
    expect(await processed.has('stock-mysql', 'msg-rollback')).toBe(true);
  });

  it('prunes records older than a cut-off', async () => {
    await test.db
      .insertInto('processed_messages')
      .values({
        consumer: 'old',
        message_id: 'ancient',
        processed_at: new Date('2020-01-01T00:00:00Z'),
      })
      .execute();
    expect(await processed.prune(new Date('2021-01-01T00:00:00Z'))).toBe(1);
    expect(await processed.has('old', 'ancient')).toBe(false);
    expect(await processed.has('stock-mysql', 'msg-1')).toBe(true);
  });
});
