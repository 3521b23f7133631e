/*
 * Stock versions are `epoch * STOCK_EPOCH_SPAN + sequence`. The epoch changes only when the
 * Redis ledger had to be rebuilt from MySQL (Redis came back empty): the rebuilt ledger issues
 * versions from the new epoch's floor upwards, so a version issued before the loss, published or
 * not, is never issued again. Plain integer comparison orders versions across epochs, so MySQL,
 * the consumers and the reconciler compare them as they always did. The first ledger of a
 * database is epoch 0: its versions are the plain sequence.
 */

/** 2^32 versions per product per epoch; 2^21 epochs fit below Number.MAX_SAFE_INTEGER. */
export const STOCK_EPOCH_SPAN = 2 ** 32;

/** The epoch a version was issued in. */
export function stockVersionEpoch(version: number): number {
  return Math.floor(version / STOCK_EPOCH_SPAN);
}

/** The lowest version of `epoch`: every version issued in it is above this figure. */
export function stockEpochFloor(epoch: number): number {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError(`Invalid stock ledger epoch ${epoch}`);
  }
  const floor = epoch * STOCK_EPOCH_SPAN;
  if (!Number.isSafeInteger(floor + STOCK_EPOCH_SPAN)) {
    throw new RangeError(`Stock ledger epoch ${epoch} is beyond the safe version range`);
  }
  return floor;
}

/**
 * The epoch a rebuilt ledger starts. The first ledger of a database is epoch 0 (no Redis ever
 * issued a version for it). Later ones go past the last recorded epoch and past the epoch of
 * any version MySQL holds (a database restored from elsewhere could hold newer ones).
 */
export function nextStockEpoch(lastRecordedEpoch: number | null, highestVersion: number): number {
  if (lastRecordedEpoch === null) return 0;
  return Math.max(lastRecordedEpoch + 1, stockVersionEpoch(highestVersion) + 1);
}
