import { parseRedisUrl } from './redis-url';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0),
);

export const DEV_ADMIN_TOKEN = 'dev-admin-token';
/**
 * The stack's own Redis (scripts/stack/redis.sh: AOF, fsync on every write), not the machine's
 * shared one on 6379 that keeps nothing on disk.
 */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6380';
/**
 * The native stack's SMTP sink (scripts/stack/smtp-sink.sh): it accepts every message and keeps it
 * for tests and developers to read. Point SMTP_URL at a real server (or Mailpit) instead.
 */
export const DEFAULT_SMTP_URL = 'smtp://127.0.0.1:2525';

/**
 * One URL or a comma-separated list of them (spaces around entries are ignored, empty entries
 * skipped), each with one of `schemes` (`http`, `https`, ...); parses to the list. A bad entry is
 * named in the error. A comma inside an entry (a password) must be written %2C.
 */
function urlList(variable: string, schemes: readonly string[]) {
  const expected = schemes.map((scheme) => `${scheme}://`).join(' or ');
  return z.string().transform((value, ctx) => {
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0);
    if (entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: `${variable} names no URL` });
      return z.NEVER;
    }
    for (const entry of entries) {
      if (!hasScheme(entry, schemes)) {
        ctx.addIssue({
          code: 'custom',
          message: `${variable} entry "${entry}" is not an ${expected} URL`,
        });
      }
    }
    return entries;
  });
}

function hasScheme(value: string, schemes: readonly string[]): boolean {
  try {
    return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
  } catch {
    return false;
  }
}

/** A whole number of replicas (0 or more), or `auto` (decided from the cluster's node count). */
const replicaSetting = z.string().transform((value, ctx): number | 'auto' => {
  const trimmed = value.trim();
  if (trimmed === 'auto') return 'auto';
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  ctx.addIssue({
    code: 'custom',
    message: `ELASTICSEARCH_REPLICAS must be a whole number (0 or more) or auto, not "${value}"`,
  });
  return z.NEVER;
});

const smtpUrl = z
  .string()
  .url()
  .refine((value) => /^smtps?:$/.test(new URL(value).protocol), {
    message: 'SMTP_URL must be an smtp:// or smtps:// URL',
  });

/**
 * Every environment variable the apps read, with its default. `.env.example` documents the same
 * list; a unit test keeps the two in step.
 */
export const shopEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    HOST: z.string().default('127.0.0.1'),
    STOREFRONT_PORT: port.default(3000),
    CATALOG_API_PORT: port.default(3001),
    STOCK_API_PORT: port.default(3002),
    SYNC_WORKER_PORT: port.default(3003),
    LIVE_PORT: port.default(3004),
    LIVE_PING_INTERVAL_MS: z.coerce.number().int().min(1000).max(300_000).default(20_000),
    STOREFRONT_LOW_STOCK_BELOW: z.coerce.number().int().min(1).max(1_000_000).default(10),
    ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
    MYSQL_URL: z.string().url().default('mysql://root@127.0.0.1:3306/shop'),
    // One server (redis://, rediss://) or a Redis Cluster's seed nodes
    // (redis+cluster://host:port,host:port); see redis-url.ts.
    REDIS_URL: z
      .string()
      .superRefine((value, ctx) => {
        try {
          parseRedisUrl(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      })
      .default(DEFAULT_REDIS_URL),
    // How many shards the stock ledger spreads products over (each its own Redis Cluster slot,
    // outbox and relay; libs/stock stock-keys.ts). Every process must use the same figure, and
    // changing it needs the ledger rebuilt from MySQL (README, Operations). At most 64.
    STOCK_SHARDS: z.coerce.number().int().min(1).max(64).default(1),
    // The nodes of a RabbitMQ cluster: the connection goes to the first that answers, and to the
    // next one in turn when it is lost.
    AMQP_URL: urlList('AMQP_URL', ['amqp', 'amqps']).default(['amqp://guest:guest@127.0.0.1:5672']),
    // The nodes the client spreads requests over (round robin; a node that fails to connect is
    // retried on the next).
    ELASTICSEARCH_URL: urlList('ELASTICSEARCH_URL', ['http', 'https']).default([
      'http://127.0.0.1:9200',
    ]),
    // Fixed when an index is created (a reindex applies a change).
    ELASTICSEARCH_SHARDS: z.coerce.number().int().min(1).default(1),
    ELASTICSEARCH_REPLICAS: replicaSetting.default('auto'),
    PRODUCTS_INDEX_ALIAS: z.string().default('products'),
    CATALOG_API_URL: z.string().url().default('http://127.0.0.1:3001'),
    STOCK_API_URL: z.string().url().default('http://127.0.0.1:3002'),
    PUBLIC_URL: z.string().url().default('http://127.0.0.1:8080'),
    VARNISH_PURGE_URLS: csv.default(['http://127.0.0.1:8080']),
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
    AMQP_PREFETCH: z.coerce.number().int().min(1).max(10_000).default(100),
    AMQP_MAX_DELIVERIES: z.coerce.number().int().min(1).max(100).default(5),
    OUTBOX_RETENTION_HOURS: z.coerce.number().min(1).default(24),
    CART_HOLD_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    SMTP_URL: smtpUrl.default(DEFAULT_SMTP_URL),
    MAIL_FROM: z.string().min(3).default('Beyond LAMP Shop <shop@localhost>'),
    SMTP_SINK_PORT: port.default(2525),
    SMTP_SINK_HTTP_PORT: port.default(3005),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.ADMIN_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADMIN_TOKEN'],
        message: 'ADMIN_TOKEN is required when NODE_ENV=production',
      });
    }
  })
  .transform((env) => ({ ...env, ADMIN_TOKEN: env.ADMIN_TOKEN ?? DEV_ADMIN_TOKEN }));

export type ShopConfig = z.infer<typeof shopEnvSchema>;

/** Parses the environment; throws one error that lists every bad variable. */
export function parseShopConfig(env: Record<string, string | undefined>): ShopConfig {
  const result = shopEnvSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`)
      .join('\n');
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  return result.data;
}
