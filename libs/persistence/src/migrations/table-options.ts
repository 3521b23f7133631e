import { sql } from 'kysely';

/**
 * Appended to every CREATE TABLE. utf8mb4_unicode_ci exists on MySQL 8 and MariaDB alike (unlike
 * MySQL's default utf8mb4_0900_ai_ci), so both servers sort and compare text the same way.
 */
export const TABLE_OPTIONS = sql`engine = InnoDB default charset = utf8mb4 collate = utf8mb4_unicode_ci`;

/** DATETIME with milliseconds, in UTC (every connection sets its session time zone to +00:00). */
export const DATETIME_MS = sql`datetime(3)`;
export const NOW_MS = sql`current_timestamp(3)`;
