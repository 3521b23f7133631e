import { Injectable } from '@nestjs/common';
import { nextStockEpoch, stockEpochFloor } from '@shop/contracts';
import { Kysely } from 'kysely';
import { InjectDatabase } from '../database.tokens';
import { isDuplicateKeyError } from '../errors';
import type { Database } from '../schema';

export interface StockLedgerEpoch {
  epoch: number;
  /** The version floor of the epoch: every version the ledger issues in it is above this. */
  versionFloor: number;
}

const ATTEMPTS = 5;

/**
 * The durable half of "versions never repeat": which ledger epochs were started (see
 * libs/contracts/src/stock-version.ts).
 */
@Injectable()
export class StockLedgerEpochRepository {
  constructor(@InjectDatabase() private readonly db: Kysely<Database>) {}

  /**
   * Records and returns the epoch a rebuilt ledger starts. Processes rebuilding at once each get
   * an epoch of their own (the primary key settles races); the ledger keeps the highest floor.
   */
  async begin(reason: string): Promise<StockLedgerEpoch> {
    for (let attempt = 1; ; attempt += 1) {
      const [last, highest] = await Promise.all([
        this.db
          .selectFrom('stock_ledger_epochs')
          .select((eb) => eb.fn.max('epoch').as('epoch'))
          .executeTakeFirst(),
        this.db
          .selectFrom('stock')
          .select((eb) => eb.fn.max('version').as('version'))
          .executeTakeFirst(),
      ]);
      const lastEpoch =
        last?.epoch === null || last?.epoch === undefined ? null : Number(last.epoch);
      const epoch = nextStockEpoch(lastEpoch, Number(highest?.version ?? 0));
      try {
        await this.db
          .insertInto('stock_ledger_epochs')
          .values({ epoch, reason: reason.slice(0, 200) })
          .execute();
        return { epoch, versionFloor: stockEpochFloor(epoch) };
      } catch (error) {
        if (!isDuplicateKeyError(error, 'PRIMARY') || attempt >= ATTEMPTS) throw error;
      }
    }
  }
}
