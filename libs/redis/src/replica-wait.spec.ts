import { Cluster, type Redis } from 'ioredis';
import { defaultReplicaCount, ReplicaWait, ReplicaWaitError } from './replica-wait';

/** A one-server client that only knows WAIT, answering `acknowledged`. */
function serverAnswering(acknowledged: number): { client: Redis; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const client = {
    wait: (...args: unknown[]) => {
      calls.push(args);
      return Promise.resolve(acknowledged);
    },
  } as unknown as Redis;
  return { client, calls };
}

describe('ReplicaWait', () => {
  it('sends nothing when no replica is asked for', async () => {
    const { client, calls } = serverAnswering(0);
    await new ReplicaWait(client, 0).afterWrite('k');
    expect(calls).toEqual([]);
  });

  it('waits for the replicas with its timeout and resolves once they confirmed', async () => {
    const { client, calls } = serverAnswering(1);
    await new ReplicaWait(client, 1, 250).afterWrite('k');
    expect(calls).toEqual([[1, 250]]);
  });

  it('refuses a write fewer replicas confirmed in time', async () => {
    const { client } = serverAnswering(0);
    const wait = new ReplicaWait(client, 1);
    await expect(wait.afterWrite('k')).rejects.toThrow(ReplicaWaitError);
    await expect(wait.afterWrite('k')).rejects.toThrow(/0 of 1 replica\(s\)/);
  });

  it('refuses a count that is not a non-negative integer', () => {
    const { client } = serverAnswering(0);
    expect(() => new ReplicaWait(client, -1)).toThrow(RangeError);
    expect(() => new ReplicaWait(client, 0.5)).toThrow(RangeError);
  });

  it('waits for one replica on a cluster and none on one server by default', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 7001 }], { lazyConnect: true });
    expect(defaultReplicaCount(cluster)).toBe(1);
    expect(defaultReplicaCount(serverAnswering(0).client)).toBe(0);
    cluster.disconnect();
  });
});
