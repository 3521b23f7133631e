import { Cluster, Redis } from 'ioredis';
import { createRedisClient, duplicateClient, keyServers } from './redis-client';

describe('createRedisClient', () => {
  it('makes a Redis for a server and a Cluster for a cluster, without connecting', async () => {
    const server = createRedisClient('redis://127.0.0.1:6380', { lazyConnect: true });
    const cluster = createRedisClient('redis+cluster://127.0.0.1:7001', { lazyConnect: true });
    expect(server).toBeInstanceOf(Redis);
    expect(cluster).toBeInstanceOf(Cluster);
    expect(keyServers(server)).toEqual([server]);
    server.disconnect();
    cluster.disconnect();
  });

  it('gives a duplicate of a cluster its own queue until its own ready', () => {
    const cluster = createRedisClient('redis+cluster://127.0.0.1:7001', {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    }) as Cluster;
    // What the first `ready` does to a fail-fast cluster client.
    cluster.options.enableOfflineQueue = false;
    const copy = duplicateClient(cluster) as Cluster;
    expect(copy).toBeInstanceOf(Cluster);
    expect(copy.options.enableOfflineQueue).toBe(true);
    expect(copy.options.redisOptions?.maxRetriesPerRequest).toBe(1);
    cluster.disconnect();
    copy.disconnect();
  });
});
