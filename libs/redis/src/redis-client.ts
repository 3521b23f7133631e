import { parseRedisUrl } from '@shop/config';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** A client of one Redis server or of a Redis Cluster: the libs take either. */
export type RedisClient = Redis | Cluster;

/** What the apps and tests set on a client; the cluster form applies them to every node. */
export type RedisClientOptions = Pick<
  RedisOptions,
  'connectionName' | 'maxRetriesPerRequest' | 'enableAutoPipelining' | 'lazyConnect'
>;

/** A client for `url` (see parseRedisUrl): `Redis` for one server, `Cluster` for a cluster. */
export function createRedisClient(url: string, options: RedisClientOptions = {}): RedisClient {
  const target = parseRedisUrl(url);
  if (target.kind === 'server') return new Redis(url, options);
  const { enableAutoPipelining, lazyConnect, ...perNode } = options;
  const cluster = new Cluster(target.nodes, {
    enableAutoPipelining,
    lazyConnect,
    redisOptions: { ...perNode, username: target.username, password: target.password },
  });
  return failingFastOnceReady(cluster);
}

/**
 * Failing fast (`maxRetriesPerRequest`) must hold while every node is down too, where the cluster
 * client would queue commands until one answers again. Only from the first `ready` on: until then
 * the queue holds what the caller sent before the slot map was known.
 */
function failingFastOnceReady(cluster: Cluster): Cluster {
  if (cluster.options.redisOptions?.maxRetriesPerRequest != null) {
    cluster.once('ready', () => {
      cluster.options.enableOfflineQueue = false;
    });
  }
  return cluster;
}

/** A new connection (a new client) to the same server or cluster, for blocking commands. */
export function duplicateClient(client: RedisClient): RedisClient {
  if (!(client instanceof Cluster)) return client.duplicate();
  // The copy starts with the options as they are now: queueing again until its own `ready`.
  return failingFastOnceReady(client.duplicate([], { enableOfflineQueue: true }));
}

/** The servers holding keys: the masters of a cluster, or the one server. */
export function keyServers(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/**
 * Every key matching `pattern` (SCAN on each master of a cluster), `count` per round trip, in
 * batches: one server's SCAN cursor never hands out a batch spanning two servers.
 */
export async function* scanKeys(
  client: RedisClient,
  pattern: string,
  count = 1000,
): AsyncGenerator<string[]> {
  for (const server of keyServers(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      if (keys.length > 0) yield keys;
      cursor = next;
    } while (cursor !== '0');
  }
}
