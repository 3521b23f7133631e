/**
 * One reconciliation of MySQL (the source of truth) against the Redis stock ledger and the
 * Elasticsearch index, the same one the sync worker runs every RECONCILE_INTERVAL_MS: repairs
 * what drifted, prints what it found and fixed per kind, exits 1 when a part failed.
 *
 *   npm run reconcile [-- --json] [--grace-ms N] [--no-purge] [--only stock|price|search]
 *
 * --grace-ms   leave rows changed less than N ms ago to the consumers (default 5000)
 * --no-purge   do not purge Varnish after repairs
 * --json       print the report as JSON (for scripts and tests)
 */
import { parseArgs } from 'node:util';
import type { DynamicModule, LoggerService } from '@nestjs/common';
import { ShopConfigModule } from '@shop/config';
import { VarnishPurger } from '@shop/http-cache';
import { PersistenceModule } from '@shop/persistence';
import { RECONCILE_KINDS, Reconciler, type ReconcileReport } from '@shop/sync';
import {
  ReconcileModule,
  type ReconcilePart,
} from '../apps/sync-worker/src/reconcile/reconcile.module';
import { runCli, withCliContext } from './cli';

/** Warnings and errors on stderr, so stdout stays the report (`--json` is parsed by callers). */
const stderr: LoggerService = {
  log: () => undefined,
  warn: (message) => console.error(`warn: ${String(message)}`),
  error: (message) => console.error(`error: ${String(message)}`),
};

/** The sync worker's reconciler (ReconcileModule), with this run's options. */
class ReconcileCommandModule {}

function options(): {
  json: boolean;
  graceMs: number;
  purge: boolean;
  parts: ReconcilePart[];
} {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      'grace-ms': { type: 'string' },
      'no-purge': { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const graceMs = values['grace-ms'] === undefined ? 5000 : Number(values['grace-ms']);
  if (!Number.isInteger(graceMs) || graceMs < 0)
    throw new Error('--grace-ms must be an integer >= 0');
  const only = values.only;
  if (only !== undefined && only !== 'stock' && only !== 'price' && only !== 'search') {
    throw new Error('--only must be stock, price or search');
  }
  return {
    json: values.json,
    graceMs,
    purge: !values['no-purge'],
    parts: only === undefined ? ['stock', 'price', 'search'] : [only],
  };
}

function print(report: ReconcileReport): void {
  console.log(
    `reconciled ${report.checked.stock} stock rows, ${report.checked.price} live prices and ` +
      `${report.checked.search} products in ${report.durationMs} ms`,
  );
  const width = Math.max(...RECONCILE_KINDS.map((kind) => kind.length));
  console.log(`${'kind'.padEnd(width)}  found  fixed`);
  for (const kind of RECONCILE_KINDS) {
    const { found, fixed } = report.kinds[kind];
    console.log(
      `${kind.padEnd(width)}  ${String(found).padStart(5)}  ${String(fixed).padStart(5)}`,
    );
  }
  for (const error of report.errors) console.log(`error: ${error}`);
}

async function main(): Promise<number> {
  const args = options();
  const module: DynamicModule = {
    module: ReconcileCommandModule,
    imports: [
      ShopConfigModule,
      PersistenceModule.forRoot({ connectionLimit: 3 }),
      // A plain VarnishPurger: a one-off run has no later fetches to echo purges for.
      ReconcileModule.forRoot({
        graceMs: args.graceMs,
        parts: args.parts,
        purger: args.purge ? VarnishPurger : null,
      }),
    ],
  };
  return withCliContext(
    module,
    async (app) => {
      const report = await app.get(Reconciler).run();
      if (args.json) console.log(JSON.stringify(report));
      else print(report);
      return report.ok ? 0 : 1;
    },
    stderr,
  );
}

runCli(main);
