import { parseArgs } from 'node:util';

/**
 * The consumers a sync worker can run. Each name is its handler's `@EventPattern`, its `--only`
 * role, its queue (`sync.<name>`; `orders-mysql`, the order worker, reads `orders.mysql`) and its
 * controller's file (`consumers/<name>.controller.ts`).
 */
export const SYNC_CONSUMER_NAMES = [
  'stock',
  'product-search',
  'product-stock-ids',
  'category-cache',
  'orders-mysql',
  'back-in-stock-mail',
  'price',
] as const;
export type SyncConsumerName = (typeof SYNC_CONSUMER_NAMES)[number];

/** What one worker process can be told to do: any consumers, and/or the periodic reconciler. */
export const SYNC_ROLES = [...SYNC_CONSUMER_NAMES, 'reconciler'] as const;
export type SyncRole = (typeof SYNC_ROLES)[number];

export function isSyncConsumerName(value: string): value is SyncConsumerName {
  return (SYNC_CONSUMER_NAMES as readonly string[]).includes(value);
}

function isSyncRole(value: string): value is SyncRole {
  return (SYNC_ROLES as readonly string[]).includes(value);
}

/** The roles given on the command line or in the environment is not a valid list. */
export class SyncRoleSelectionError extends Error {
  constructor(message: string) {
    super(`${message} (choose from: ${SYNC_ROLES.join(', ')}, or all)`);
    this.name = 'SyncRoleSelectionError';
  }
}

/**
 * Which roles this process runs: `--only stock,product-search` (or `--only=...`) on the
 * command line, else the `SYNC_CONSUMERS` environment variable, else all of them. Several
 * processes with the same role compete for its queue's messages. Other arguments are left to
 * whoever else reads them.
 */
export function parseSyncRoles(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): SyncRole[] {
  const { values } = parseArgs({
    args: [...argv],
    options: { only: { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const only = values.only;
  if (typeof only === 'boolean' || only?.startsWith('--')) {
    throw new SyncRoleSelectionError('--only needs a comma-separated list');
  }
  const list = only ?? env.SYNC_CONSUMERS;
  if (list === undefined || list.trim() === '' || list.trim() === 'all') return [...SYNC_ROLES];

  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const unknown = names.filter((name) => name !== 'all' && !isSyncRole(name));
  if (unknown.length > 0)
    throw new SyncRoleSelectionError(`unknown role(s): ${unknown.join(', ')}`);
  if (names.includes('all')) return [...SYNC_ROLES];
  const chosen = new Set(names);
  return SYNC_ROLES.filter((role) => chosen.has(role));
}

/** The consumer patterns among `roles` (the reconciler role has no handler). */
export function consumerPatterns(roles: readonly SyncRole[]): SyncConsumerName[] {
  return roles.filter(isSyncConsumerName);
}
