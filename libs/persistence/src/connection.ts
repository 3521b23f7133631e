import { CompiledQuery, Kysely, MysqlDialect, sql } from 'kysely';
import { createConnection, createPool, PoolOptions } from 'mysql2';
import type { Database } from './schema';

export interface MysqlUrlParts {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Empty when the URL names no database. */
  database: string;
}

const DATABASE_NAME = /^[A-Za-z0-9_$]{1,64}$/;

/** Splits `mysql://user:pass@host:port/db` into mysql2's connection options. */
export function parseMysqlUrl(url: string): MysqlUrlParts {
  const parsed = new URL(url);
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new Error(`not a mysql:// URL: ${parsed.protocol}`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  // The name ends up inside CREATE DATABASE, where it cannot be a bound parameter.
  if (database !== '' && !DATABASE_NAME.test(database)) {
    throw new Error(`unsupported database name in MySQL URL: ${database}`);
  }
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
    database,
  };
}

/**
 * How every connection talks to the server, chosen so rows need no conversion:
 * - DECIMAL comes back as a number (prices have 2 decimals, far inside double precision);
 * - BIGINT as a number while it is a safe integer (versions and outbox ids stay far below 2^53);
 * - DATETIME is UTC on both sides: mysql2 reads and writes `Date`s as UTC (`timezone: 'Z'`) and
 *   each session's `time_zone` is +00:00, so `CURRENT_TIMESTAMP(3)` defaults agree with them.
 */
export function connectionOptions(parts: MysqlUrlParts): PoolOptions {
  return {
    host: parts.host,
    port: parts.port,
    user: parts.user,
    password: parts.password,
    database: parts.database || undefined,
    charset: 'UTF8MB4_UNICODE_CI',
    timezone: 'Z',
    dateStrings: false,
    decimalNumbers: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
  };
}

export interface CreateDatabaseOptions {
  /** Pool size; mysql2's default is 10. */
  connectionLimit?: number;
}

/** A Kysely instance over a mysql2 pool. Call `destroy()` to close the pool. */
export function createDatabase(url: string, options: CreateDatabaseOptions = {}): Kysely<Database> {
  const pool = createPool({
    ...connectionOptions(parseMysqlUrl(url)),
    connectionLimit: options.connectionLimit ?? 10,
    enableKeepAlive: true,
  });
  return new Kysely<Database>({
    dialect: new MysqlDialect({
      pool,
      onCreateConnection: async (connection) => {
        await connection.executeQuery(CompiledQuery.raw("SET time_zone = '+00:00'"));
      },
    }),
  });
}

/** Runs one raw statement on a connection to the server without a default database. */
async function onServer(url: string, statement: string): Promise<number> {
  const parts = parseMysqlUrl(url);
  const connection = createConnection({ ...connectionOptions(parts), database: undefined });
  try {
    return await new Promise<number>((resolve, reject) => {
      connection.query(statement, (error, result) => {
        if (error) reject(error);
        else resolve('affectedRows' in result ? result.affectedRows : 0);
      });
    });
  } finally {
    connection.destroy();
  }
}

function databaseNameOf(url: string): string {
  const { database } = parseMysqlUrl(url);
  if (!database) throw new Error('the MySQL URL names no database');
  return database;
}

/** `CREATE DATABASE IF NOT EXISTS` for the URL's database; true when it was created now. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseNameOf(url);
  const affected = await onServer(
    url,
    `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  return affected > 0;
}

/** `DROP DATABASE IF EXISTS` for the URL's database. Meant for throwaway test databases. */
export async function dropDatabase(url: string): Promise<void> {
  await onServer(url, `DROP DATABASE IF EXISTS \`${databaseNameOf(url)}\``);
}

/** Resolves when the server answers a trivial query: for health checks. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
