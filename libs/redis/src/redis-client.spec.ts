import { Cluster, Redis } from 'ioredis';
import { createRedisClient, keyServers } from './redis-client';

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
});
