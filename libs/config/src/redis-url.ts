export type RedisTarget =
  | { kind: 'server'; url: string }
  | {
      kind: 'cluster';
      nodes: { host: string; port: number }[];
      username?: string;
      password?: string;
    };

const CLUSTER_SCHEME = 'redis+cluster:';

/**
 * Reads `REDIS_URL`: `redis://` or `rediss://` names one server (ioredis' own URL form);
 * `redis+cluster://[user:password@]host:port,host:port,...` names seed nodes of a Redis Cluster
 * (any reachable one is enough, the client learns the rest). Throws with the reason otherwise.
 */
export function parseRedisUrl(text: string): RedisTarget {
  if (text.startsWith(`${CLUSTER_SCHEME}//`)) {
    const rest = text.slice(CLUSTER_SCHEME.length + 2).replace(/\/$/, '');
    const at = rest.lastIndexOf('@');
    const credentials = at === -1 ? '' : rest.slice(0, at);
    const hosts = at === -1 ? rest : rest.slice(at + 1);
    const nodes = hosts.split(',').map((node) => {
      const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):([0-9]{1,5})$/.exec(node);
      const port = match ? Number(match[2]) : 0;
      if (!match || port < 1 || port > 65535) {
        throw new Error(`${JSON.stringify(node)} is not host:port in ${CLUSTER_SCHEME}// URL`);
      }
      return { host: match[1].replace(/^\[|\]$/g, ''), port };
    });
    const colon = credentials.indexOf(':');
    const username = decodeURIComponent(colon === -1 ? credentials : credentials.slice(0, colon));
    const password = colon === -1 ? undefined : decodeURIComponent(credentials.slice(colon + 1));
    return {
      kind: 'cluster',
      nodes,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
    };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`expected redis://, rediss:// or ${CLUSTER_SCHEME}//, got ${url.protocol}//`);
  }
  return { kind: 'server', url: text };
}
