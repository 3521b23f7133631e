import { parseRedisUrl } from './redis-url';

describe('parseRedisUrl', () => {
  it('takes one server in ioredis URL form', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380')).toEqual({
      kind: 'server',
      url: 'redis://127.0.0.1:6380',
    });
    expect(parseRedisUrl('rediss://user:pw@cache.example:6380/2').kind).toBe('server');
  });

  it('takes the seed nodes and credentials of a cluster', () => {
    expect(parseRedisUrl('redis+cluster://127.0.0.1:7001,127.0.0.1:7002/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7001 },
        { host: '127.0.0.1', port: 7002 },
      ],
    });
    expect(parseRedisUrl('redis+cluster://app:p%40ss@redis-a:6379,[::1]:6380')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'redis-a', port: 6379 },
        { host: '::1', port: 6380 },
      ],
      username: 'app',
      password: 'p@ss',
    });
  });

  it.each([
    ['http://127.0.0.1:6379', /expected redis/],
    ['127.0.0.1:6379', /not a URL/],
    ['redis+cluster://127.0.0.1', /not host:port/],
    ['redis+cluster://127.0.0.1:7001,', /not host:port/],
    ['redis+cluster://127.0.0.1:70000', /not host:port/],
  ])('refuses %s with the reason', (url, reason) => {
    expect(() => parseRedisUrl(url)).toThrow(reason);
  });
});
