import { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

/**
 * Runs `work` in `executor`'s transaction when it already is one, else in a new transaction, so
 * a repository method can take part in a caller's unit of work or stand on its own.
 */
export async function inTransaction<T>(
  executor: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  if (executor.isTransaction) return work(executor as Transaction<Database>);
  return executor.transaction().execute(work);
}
