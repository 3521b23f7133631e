import { parseSyncRoles, SYNC_ROLES, SyncRoleSelectionError } from './sync-roles';

describe('parseSyncRoles', () => {
  it('runs everything by default', () => {
    expect(parseSyncRoles([], {})).toEqual([...SYNC_ROLES]);
    expect(parseSyncRoles([], { SYNC_CONSUMERS: 'all' })).toEqual([...SYNC_ROLES]);
  });

  it('takes --only from the command line, in either spelling', () => {
    expect(parseSyncRoles(['--only', 'product-search,stock-mysql'])).toEqual([
      'stock-mysql',
      'product-search',
    ]);
    expect(parseSyncRoles(['--only=reconciler'])).toEqual(['reconciler']);
  });

  it('falls back to SYNC_CONSUMERS, and the command line wins over it', () => {
    expect(parseSyncRoles([], { SYNC_CONSUMERS: ' stock-cache , stock-search ' })).toEqual([
      'stock-search',
      'stock-cache',
    ]);
    expect(parseSyncRoles(['--only', 'stock-cache'], { SYNC_CONSUMERS: 'stock-mysql' })).toEqual([
      'stock-cache',
    ]);
  });

  it('refuses unknown names, naming them and the valid ones', () => {
    expect(() => parseSyncRoles(['--only', 'stock-mysql,stok-search'])).toThrow(
      SyncRoleSelectionError,
    );
    expect(() => parseSyncRoles(['--only', 'nope'])).toThrow(/nope.*choose from: stock-mysql/);
    expect(() => parseSyncRoles(['--only'])).toThrow(/needs a comma-separated list/);
  });
});
