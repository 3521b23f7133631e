import { Kysely, MigrationResultSet, Migrator, NO_MIGRATIONS } from 'kysely';
import { errorMessage } from '@shop/common';
import { migrationProvider } from './migrations';
import type { Database } from './schema';

export class MigrationFailedError extends Error {
  constructor(
    readonly migrationName: string | undefined,
    override readonly cause: unknown,
  ) {
    const reason = errorMessage(cause);
    super(
      migrationName
        ? `migration ${migrationName} failed: ${reason}`
        : `migrations could not run: ${reason}`,
    );
    this.name = 'MigrationFailedError';
  }
}

function migratorFor(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: migrationProvider });
}

/** Kysely's migrator never throws; this turns its result set into names or an exception. */
function namesOrThrow({ error, results }: MigrationResultSet): string[] {
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new MigrationFailedError(failed?.migrationName, error);
  }
  return (results ?? []).map((result) => result.migrationName);
}

/**
 * Applies every pending migration, in order, and returns their names (empty when the schema was
 * already current). Safe to run from several processes at once: Kysely serialises them with
 * `GET_LOCK`. MySQL DDL is not transactional, so a failure leaves the migrations before it applied.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return namesOrThrow(await migratorFor(db).migrateToLatest());
}

/** Reverts every applied migration, newest first; returns their names. For tests and tear-down. */
export async function migrateDownToZero(db: Kysely<Database>): Promise<string[]> {
  return namesOrThrow(await migratorFor(db).migrateTo(NO_MIGRATIONS));
}

export interface MigrationStatus {
  name: string;
  executedAt: Date | null;
}

/** Every known migration with when it ran (null while pending). */
export async function migrationStatus(db: Kysely<Database>): Promise<MigrationStatus[]> {
  const migrations = await migratorFor(db).getMigrations();
  return migrations.map(({ name, executedAt }) => ({ name, executedAt: executedAt ?? null }));
}
