import { errorMessage, SILENT_LOGGER, type LoggerLike } from '@shop/common';
import { type LiveStockReader, type StockRowReader } from '../ports';

/**
 * Stock figures for building search documents: the live ledger first (what shoppers are sold
 * against), MySQL's copy for products the ledger does not know yet (a product created a moment
 * ago) or when Redis does not answer. Returns id -> quantity; ids neither knows read as 0.
 */
export async function currentQuantities(
  ids: readonly number[],
  ledger: LiveStockReader,
  mysql: StockRowReader,
  logger: LoggerLike = SILENT_LOGGER,
): Promise<Map<number, number>> {
  const quantities = new Map<number, number>();
  if (ids.length === 0) return quantities;
  let levels: ({ stock: number } | null)[];
  try {
    levels = await ledger.getMany(ids);
  } catch (error) {
    logger.warn(
      `stock ledger unavailable (${errorMessage(error)}); ` + 'using MySQL stock figures',
    );
    levels = ids.map(() => null);
  }
  const fromMysql: number[] = [];
  levels.forEach((level, index) => {
    if (level) quantities.set(ids[index], level.stock);
    else fromMysql.push(ids[index]);
  });
  if (fromMysql.length > 0) {
    for (const level of await mysql.findByIds(fromMysql)) quantities.set(level.id, level.stock);
  }
  return quantities;
}
