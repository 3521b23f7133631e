import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = `${__dirname}/../..`;

/** The stack's own Redis (scripts/stack/redis.sh: AOF, fsync always), for fault tests. */
function redisScript(command: 'start' | 'stop' | 'kill'): Promise<unknown> {
  return run('bash', ['scripts/stack/redis.sh', command], { cwd: repoRoot, timeout: 60_000 });
}

/** A clean shutdown: Redis writes its AOF and exits. Fault tests restart it before they finish. */
export async function stopRedis(): Promise<void> {
  await redisScript('stop');
}

/** SIGKILL: nothing is flushed on the way out, so only what was fsynced before survives. */
export async function killRedis(): Promise<void> {
  await redisScript('kill');
}

/**
 * Starts it from its AOF (the same data) and waits until it answers PING; in cluster mode, starts
 * the nodes that are down and waits until the cluster is `ok`.
 */
export async function startRedis(): Promise<void> {
  await redisScript('start');
}

/** Cluster mode (a Redis Cluster): SIGKILL to the node on `port`, nothing flushed. */
export async function killRedisNode(port: number): Promise<void> {
  await run('bash', ['scripts/stack/redis.sh', 'kill-node', String(port)], {
    cwd: repoRoot,
    timeout: 60_000,
  });
}

export async function redisAnswers(): Promise<boolean> {
  try {
    await run('bash', ['scripts/stack/redis.sh', 'status'], { cwd: repoRoot });
    return true;
  } catch {
    return false;
  }
}

/** RabbitMQ's app stops and starts inside its running node: connections drop, data stays. */
export async function stopRabbitApp(): Promise<void> {
  await run('rabbitmqctl', ['stop_app'], { timeout: 60_000 });
}

export async function startRabbitApp(): Promise<void> {
  await run('rabbitmqctl', ['start_app'], { timeout: 60_000 });
  await run('rabbitmqctl', ['await_startup'], { timeout: 60_000 });
}

/** Elasticsearch as the stack runs it (scripts/stack/elasticsearch.sh), for outage tests. */
export async function stopElasticsearch(): Promise<void> {
  await run('bash', ['scripts/stack/elasticsearch.sh', 'stop'], { cwd: repoRoot, timeout: 60_000 });
}

export async function startElasticsearch(): Promise<void> {
  await run('bash', ['scripts/stack/elasticsearch.sh', 'start'], {
    cwd: repoRoot,
    timeout: 180_000,
  });
}

/** Cluster mode (`npm run up -- --cluster`): SIGKILL to node N (1-3), nothing flushed. */
export async function killElasticsearchNode(node: number): Promise<void> {
  await run('bash', ['scripts/stack/elasticsearch.sh', 'kill-node', String(node)], {
    cwd: repoRoot,
    timeout: 60_000,
  });
}

/** Starts node N again and waits until the cluster counts it (as node N sees it). */
export async function startElasticsearchNode(node: number): Promise<void> {
  await run('bash', ['scripts/stack/elasticsearch.sh', 'start-node', String(node)], {
    cwd: repoRoot,
    timeout: 180_000,
  });
}
