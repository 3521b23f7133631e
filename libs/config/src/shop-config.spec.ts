import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_ADMIN_TOKEN, parseShopConfig, shopEnvSchema } from './shop-config';

describe('parseShopConfig', () => {
  it('applies the documented defaults', () => {
    const config = parseShopConfig({});
    expect(config.STOREFRONT_PORT).toBe(3000);
    expect(config.CATALOG_API_PORT).toBe(3001);
    expect(config.STOCK_API_PORT).toBe(3002);
    expect(config.SYNC_WORKER_PORT).toBe(3003);
    expect(config.LIVE_PORT).toBe(3004);
    expect(config.ADMIN_TOKEN).toBe(DEV_ADMIN_TOKEN);
    expect(config.MYSQL_URL).toBe('mysql://root@127.0.0.1:3306/shop');
    expect(config.VARNISH_PURGE_URLS).toEqual(['http://127.0.0.1:8080']);
  });

  it('refuses production without an admin token', () => {
    expect(() => parseShopConfig({ NODE_ENV: 'production' })).toThrow(
      /ADMIN_TOKEN: ADMIN_TOKEN is required when NODE_ENV=production/,
    );
  });

  it('accepts production with a token', () => {
    const token = 'a-long-production-token';
    expect(parseShopConfig({ NODE_ENV: 'production', ADMIN_TOKEN: token }).ADMIN_TOKEN).toBe(token);
  });

  it('names every bad variable', () => {
    expect(() => parseShopConfig({ STOCK_API_PORT: 'abc', REDIS_URL: 'nope' })).toThrow(
      /STOCK_API_PORT[\s\S]*REDIS_URL|REDIS_URL[\s\S]*STOCK_API_PORT/,
    );
  });

  it('takes one Redis server or the seed nodes of a Redis Cluster', () => {
    const cluster = 'redis+cluster://127.0.0.1:7001,127.0.0.1:7002';
    expect(parseShopConfig({ REDIS_URL: cluster }).REDIS_URL).toBe(cluster);
    expect(parseShopConfig({}).REDIS_URL).toBe('redis://127.0.0.1:6380');
    expect(() => parseShopConfig({ REDIS_URL: 'redis+cluster://127.0.0.1' })).toThrow(
      /REDIS_URL[\s\S]*not host:port/,
    );
  });

  it('sends email to the local SMTP sink unless told otherwise', () => {
    const config = parseShopConfig({});
    expect(config.SMTP_URL).toBe('smtp://127.0.0.1:2525');
    expect(config.SMTP_SINK_PORT).toBe(2525);
    expect(config.SMTP_SINK_HTTP_PORT).toBe(3005);
    expect(parseShopConfig({ SMTP_URL: 'smtps://user:pw@mail.example.com:465' }).SMTP_URL).toBe(
      'smtps://user:pw@mail.example.com:465',
    );
    expect(() => parseShopConfig({ SMTP_URL: 'http://mail.example.com' })).toThrow(
      /SMTP_URL: SMTP_URL must be an smtp/,
    );
  });

  it('splits a list of purge targets', () => {
    const config = parseShopConfig({ VARNISH_PURGE_URLS: 'http://a:80, http://b:81' });
    expect(config.VARNISH_PURGE_URLS).toEqual(['http://a:80', 'http://b:81']);
  });

  it('takes one Elasticsearch node or a comma-separated list of them', () => {
    expect(parseShopConfig({}).ELASTICSEARCH_URL).toEqual(['http://127.0.0.1:9200']);
    expect(
      parseShopConfig({ ELASTICSEARCH_URL: 'https://es.example.com' }).ELASTICSEARCH_URL,
    ).toEqual(['https://es.example.com']);
    expect(
      parseShopConfig({
        ELASTICSEARCH_URL: ' http://es1:9200 ,http://es2:9200,  http://es3:9200, ',
      }).ELASTICSEARCH_URL,
    ).toEqual(['http://es1:9200', 'http://es2:9200', 'http://es3:9200']);
  });

  it('names the Elasticsearch URL entry that is not an http(s) URL', () => {
    expect(() =>
      parseShopConfig({ ELASTICSEARCH_URL: 'http://es1:9200, es2:9200, ftp://es3' }),
    ).toThrow(/ELASTICSEARCH_URL entry "es2:9200" is not an http:\/\/ or https:\/\/ URL/);
    expect(() => parseShopConfig({ ELASTICSEARCH_URL: 'http://es1:9200,ftp://es3' })).toThrow(
      /entry "ftp:\/\/es3"/,
    );
    expect(() => parseShopConfig({ ELASTICSEARCH_URL: ' , ' })).toThrow(
      /ELASTICSEARCH_URL: ELASTICSEARCH_URL names no URL/,
    );
  });

  it('takes one RabbitMQ node or a comma-separated list of them (a cluster)', () => {
    expect(parseShopConfig({}).AMQP_URL).toEqual(['amqp://guest:guest@127.0.0.1:5672']);
    expect(
      parseShopConfig({ AMQP_URL: 'amqp://u:p@rabbit-1:5672, amqps://u:p@rabbit-2:5671/shop' })
        .AMQP_URL,
    ).toEqual(['amqp://u:p@rabbit-1:5672', 'amqps://u:p@rabbit-2:5671/shop']);
  });

  it('names the AMQP URL entry that is not an amqp(s) URL', () => {
    expect(() => parseShopConfig({ AMQP_URL: 'amqp://rabbit-1, http://rabbit-2' })).toThrow(
      /AMQP_URL entry "http:\/\/rabbit-2" is not an amqp:\/\/ or amqps:\/\/ URL/,
    );
    expect(() => parseShopConfig({ AMQP_URL: ',' })).toThrow(/AMQP_URL names no URL/);
  });

  it('reads the shard layout of new indices', () => {
    const defaults = parseShopConfig({});
    expect(defaults.ELASTICSEARCH_SHARDS).toBe(1);
    expect(defaults.ELASTICSEARCH_REPLICAS).toBe('auto');
    const set = parseShopConfig({ ELASTICSEARCH_SHARDS: '3', ELASTICSEARCH_REPLICAS: ' 2 ' });
    expect(set.ELASTICSEARCH_SHARDS).toBe(3);
    expect(set.ELASTICSEARCH_REPLICAS).toBe(2);
    expect(parseShopConfig({ ELASTICSEARCH_REPLICAS: '0' }).ELASTICSEARCH_REPLICAS).toBe(0);
    expect(() => parseShopConfig({ ELASTICSEARCH_SHARDS: '0' })).toThrow(/ELASTICSEARCH_SHARDS/);
    expect(() => parseShopConfig({ ELASTICSEARCH_SHARDS: '1.5' })).toThrow(/ELASTICSEARCH_SHARDS/);
    for (const bad of ['-1', 'one', '1.5', '']) {
      expect(() => parseShopConfig({ ELASTICSEARCH_REPLICAS: bad })).toThrow(
        /ELASTICSEARCH_REPLICAS: ELASTICSEARCH_REPLICAS must be a whole number \(0 or more\) or auto/,
      );
    }
  });

  it('is documented variable for variable in .env.example', () => {
    const example = readFileSync(join(__dirname, '../../../.env.example'), 'utf8');
    const documented = new Set(
      example
        .split('\n')
        .map((line) => /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(line)?.[1])
        .filter((name): name is string => Boolean(name)),
    );
    const schemaKeys = Object.keys(shopEnvSchema.in.shape);
    expect([...documented].sort()).toEqual(expect.arrayContaining(schemaKeys.sort()));
  });
});
