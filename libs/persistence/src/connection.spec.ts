import { connectionOptions, parseMysqlUrl } from './connection';

describe('parseMysqlUrl', () => {
  it('splits a full URL and decodes credentials', () => {
    expect(parseMysqlUrl('mysql://shop%40app:p%3Ass@db.local:3307/shop')).toEqual({
      host: 'db.local',
      port: 3307,
      user: 'shop@app',
      password: 'p:ss',
      database: 'shop',
    });
  });

  it('defaults port, user and database', () => {
    expect(parseMysqlUrl('mysql://127.0.0.1')).toEqual({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: '',
      database: '',
    });
  });

  it('refuses other schemes and unsafe database names', () => {
    expect(() => parseMysqlUrl('postgres://x/y')).toThrow(/mysql/);
    expect(() => parseMysqlUrl('mysql://x/shop`; drop')).toThrow(/database name/);
  });
});

describe('connectionOptions', () => {
  it('reads numbers as numbers and datetimes as UTC dates', () => {
    expect(connectionOptions(parseMysqlUrl('mysql://root@127.0.0.1/shop'))).toMatchObject({
      database: 'shop',
      timezone: 'Z',
      dateStrings: false,
      decimalNumbers: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
    });
  });
});
