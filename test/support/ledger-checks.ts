import type { StockRepository } from '@shop/persistence';
import { eventually, requestJson, type StockLevelFigures } from './stack';

/**
 * A fault test's verdict on a careful load (mixedStockLoad): the ledger, read through `base`,
 * holds exactly `expected` for every product, and MySQL comes to hold the same figures and
 * versions. Nothing answered was lost, nothing counted twice.
 */
export async function expectLedgerAndMysqlAt(options: {
  base: string;
  ids: number[];
  expected: Map<number, number>;
  stockRows: StockRepository;
  after: string;
}): Promise<void> {
  const { base, ids, expected, stockRows, after } = options;
  const ledger = await requestJson<{ items: StockLevelFigures[] }>(
    `${base}/stock?ids=${ids.join(',')}`,
  );
  expect(ledger.status).toBe(200);
  expect(ledger.body.items.map(({ id, stock }) => ({ id, stock }))).toEqual(
    ids.map((id) => ({ id, stock: expected.get(id) })),
  );
  const want = new Map(ledger.body.items.map((level) => [level.id, level]));
  await eventually(
    async () => {
      const rows = new Map((await stockRows.findByIds(ids)).map((row) => [row.id, row]));
      for (const [id, level] of want) {
        const row = rows.get(id);
        if (row?.stock !== level.stock || row.version !== level.version) {
          throw new Error(
            `product ${id}: MySQL ${row?.stock} v${row?.version}, want ${level.stock} v${level.version}`,
          );
        }
      }
      return true;
    },
    { what: `MySQL holding the ledger figures after ${after}`, timeoutMs: 60_000 },
  );
}
