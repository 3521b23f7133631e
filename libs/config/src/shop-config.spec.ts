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
