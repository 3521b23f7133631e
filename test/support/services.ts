import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Stops and starts the machine's own Redis the way its service notes do (it keeps nothing on
 * disk). Used by fault tests: they restore what they stop, before they finish.
 */
export async function stopRedis(): Promise<void> {
  await run('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'shutdown', 'nosave']).catch(
    (error: unknown) => {
      // redis-cli reports the dropped connection of a successful shutdown as an error.
      if (
        !String(error).includes('Connection refused') &&
        !String(error).includes('Server closed')
      ) {
        throw error;
      }
    },
  );
}

export async function startRedis(): Promise<void> {
  await run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '-::1',
    '--port',
    '6379',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    '/var/lib/redis',
    '--logfile',
    '/var/log/redis/ci.log',
  ]);
}

export async function redisAnswers(): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping']);
    return stdout.trim() === 'PONG';
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

const repoRoot = `${__dirname}/../..`;

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
