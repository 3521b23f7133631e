import type { Connection, RowDataPacket } from 'mysql2/promise';

export interface Level {
  id: number;
  stock: number;
  version: number;
}

/** The live ledger's figures, read through the stock API (`GET /stock?ids=`, up to 1000 ids). */
export async function ledgerLevels(stockApi: string, ids: number[]): Promise<Map<number, Level>> {
  const response = await fetch(`${stockApi}/stock?ids=${ids.join(',')}`);
  if (!response.ok) throw new Error(`GET /stock answered ${response.status}`);
  const body = (await response.json()) as { items: Level[]; unknown: number[] };
  if (body.unknown.length > 0)
    throw new Error(`products unknown to the stock API: ${body.unknown.join(',')}`);
  return new Map(body.items.map((level) => [level.id, level]));
}

/** The versions MySQL's `stock` table holds (what the sync worker wrote). */
export async function mysqlVersions(
  mysql: Connection,
  ids: number[],
): Promise<Map<number, number>> {
  const [rows] = await mysql.query<RowDataPacket[]>(
    'SELECT product_id, version FROM stock WHERE product_id IN (?)',
    [ids],
  );
  return new Map(rows.map((row) => [Number(row.product_id), Number(row.version)]));
}
