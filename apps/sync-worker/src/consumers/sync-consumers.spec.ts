import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PATTERN_EXTRAS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import { ORDER_QUEUE_BINDINGS, SYNC_QUEUE_BINDINGS } from '@shop/contracts';
import type { ConsumerPattern } from '@shop/messaging';
import { SYNC_CONSUMER_NAMES } from '../sync-roles';
import { SYNC_CONSUMER_CONTROLLERS } from './sync-consumers.module';

/** Each controller's `@EventPattern` handler: its pattern and extras. */
function handlers(): { controller: string; pattern: unknown; extras: ConsumerPattern<unknown> }[] {
  return SYNC_CONSUMER_CONTROLLERS.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype).flatMap((method) => {
      const target: unknown = Reflect.get(controller.prototype, method);
      if (typeof target !== 'function') return [];
      const patterns = Reflect.getMetadata(PATTERN_METADATA, target) as unknown[] | undefined;
      if (!patterns) return [];
      return patterns.map((pattern) => ({
        controller: controller.name,
        pattern,
        extras: Reflect.getMetadata(PATTERN_EXTRAS_METADATA, target) as ConsumerPattern<unknown>,
      }));
    }),
  );
}

/** `StockController` is the stock API's HTTP controller: the stock consumer's is told apart. */
const CLASS_NAMES: Readonly<Record<string, string>> = { stock: 'StockSyncController' };

describe('the sync consumers', () => {
  it('go by one name each: pattern, --only role, queue, controller file', () => {
    const found = handlers();
    expect(found.map((handler) => handler.pattern)).toEqual([...SYNC_CONSUMER_NAMES]);
    for (const { pattern, extras, controller } of found) {
      const name = String(pattern);
      // The order worker's queue belongs to the orders exchange's family: `orders.mysql`.
      const queue = name.startsWith('orders-') ? name.replace('-', '.') : `sync.${name}`;
      expect(extras.queue).toBe(queue);
      const bindings = { ...SYNC_QUEUE_BINDINGS, ...ORDER_QUEUE_BINDINGS };
      expect(extras.bindings).toBe(bindings[extras.queue as keyof typeof bindings]);
      expect(existsSync(join(__dirname, `${name}.controller.ts`))).toBe(true);
      const className =
        CLASS_NAMES[name] ??
        `${name.replace(/(^|-)(\w)/g, (_, _dash, letter: string) => letter.toUpperCase())}Controller`;
      expect(controller).toBe(className);
    }
  });

  it('batch, and hold room for two batches so the next fills while one is handled', () => {
    for (const { pattern, extras } of handlers()) {
      expect([pattern, extras.prefetch]).toEqual([pattern, 2 * extras.batch!.maxSize]);
      expect(extras.splitFailedBatches).toEqual(expect.any(Function));
    }
  });
});
