import { Inject } from '@nestjs/common';

/** The roles this process runs (`SyncRole[]`, from `--only` or `SYNC_CONSUMERS`). */
export const SYNC_ROLES_SELECTED = Symbol('SYNC_ROLES_SELECTED');
export const InjectSyncRoles = (): ParameterDecorator => Inject(SYNC_ROLES_SELECTED);

/** Redis key of the lease that keeps the periodic reconciler to one worker at a time. */
export const RECONCILER_LEASE_KEY = 'sync:reconciler-lease';
