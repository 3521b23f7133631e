import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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

const REDIS_PID_FILE = join(__dirname, '..', '..', '.stack', 'pids', 'redis.pid');

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
    // When `npm run up` started Redis it recorded the PID for `npm run down`: the restarted
    // server must update that record, or `down` would signal whatever process reuses the PID.
    ...(existsSync(REDIS_PID_FILE) ? ['--pidfile', REDIS_PID_FILE] : []),
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
