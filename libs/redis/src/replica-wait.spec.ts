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

  it('sends one WAIT for the writes answered while another is on the wire', async () => {
    const answers: ((acknowledged: number) => void)[] = [];
    const client = {
      wait: () => new Promise<number>((resolve) => answers.push(resolve)),
    } as unknown as Redis;
    const wait = new ReplicaWait(client, 1);
    const first = wait.afterWrite('k');
    const queued = [wait.afterWrite('k'), wait.afterWrite('k'), wait.afterWrite('k')];
    expect(answers).toHaveLength(1);
    answers[0](1);
    await first;
    // The queued callers' writes may have left after the first WAIT: a second one covers them.
    await new Promise(setImmediate);
    expect(answers).toHaveLength(2);
    answers[1](1);
    await Promise.all(queued);
    expect(answers).toHaveLength(2);
    // Nothing on the wire any more: the next write gets a WAIT of its own at once.
    const later = wait.afterWrite('k');
    expect(answers).toHaveLength(3);
    answers[2](0);
    await expect(later).rejects.toThrow(ReplicaWaitError);
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
    expect(ReplicaWait.of(cluster).replicas).toBe(1);
    cluster.disconnect();
  });

  it('is one per client, so everything on a connection shares its WAITs', () => {
    const { client } = serverAnswering(0);
    expect(ReplicaWait.of(client)).toBe(ReplicaWait.of(client));
    expect(ReplicaWait.of(serverAnswering(0).client)).not.toBe(ReplicaWait.of(client));
  });
});
