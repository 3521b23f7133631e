import { parseSyncRoles, SYNC_ROLES, SyncRoleSelectionError } from './sync-roles';

describe('parseSyncRoles', () => {
  it('runs everything by default', () => {
    expect(parseSyncRoles([], {})).toEqual([...SYNC_ROLES]);
    expect(parseSyncRoles([], { SYNC_CONSUMERS: 'all' })).toEqual([...SYNC_ROLES]);
  });

  it('has one stock role, which writes MySQL, search and the cache together', () => {
    expect(SYNC_ROLES).toEqual([
      'stock',
      'product-search',
      'product-stock-ids',
      'category-cache',
      'orders-mysql',
      'back-in-stock-mail',
      'price',
      'reconciler',
    ]);
  });

  it('takes --only from the command line, in either spelling', () => {
    expect(parseSyncRoles(['--only', 'product-search,stock'])).toEqual(['stock', 'product-search']);
    expect(parseSyncRoles(['--only=reconciler'])).toEqual(['reconciler']);
  });

  it('falls back to SYNC_CONSUMERS, and the command line wins over it', () => {
    expect(parseSyncRoles([], { SYNC_CONSUMERS: ' reconciler , stock ' })).toEqual([
      'stock',
      'reconciler',
    ]);
    expect(parseSyncRoles(['--only', 'product-search'], { SYNC_CONSUMERS: 'stock' })).toEqual([
      'product-search',
    ]);
  });

  it('refuses unknown names, naming them and the valid ones', () => {
    expect(() => parseSyncRoles(['--only', 'stock,prodct-search'])).toThrow(SyncRoleSelectionError);
    expect(() => parseSyncRoles(['--only', 'nope'])).toThrow(/nope.*choose from: stock,/);
    expect(() => parseSyncRoles(['--only'])).toThrow(/needs a comma-separated list/);
  });

  it('refuses the roles the stock role replaced, so an old command line fails loudly', () => {
    expect(() => parseSyncRoles(['--only', 'stock-mysql'])).toThrow(
      /unknown role\(s\): stock-mysql/,
    );
  });
});
