import {
  nextStockEpoch,
  STOCK_EPOCH_SPAN,
  stockEpochFloor,
  stockVersionEpoch,
} from './stock-version';

describe('stock versions', () => {
  it('keeps epoch 0 as the plain sequence', () => {
    expect(stockEpochFloor(0)).toBe(0);
    expect(stockVersionEpoch(48)).toBe(0);
  });

  it('orders every version of a later epoch above every version of an earlier one', () => {
    const lastOfEpoch0 = STOCK_EPOCH_SPAN - 1;
    const firstOfEpoch1 = stockEpochFloor(1) + 1;
    expect(firstOfEpoch1).toBeGreaterThan(lastOfEpoch0);
    expect(stockVersionEpoch(lastOfEpoch0)).toBe(0);
    expect(stockVersionEpoch(firstOfEpoch1)).toBe(1);
  });

  it('starts the first ledger of a database at epoch 0', () => {
    expect(nextStockEpoch(null, 0)).toBe(0);
    expect(nextStockEpoch(null, 12)).toBe(0);
  });

  it('starts a rebuilt ledger past the last epoch and past every version MySQL holds', () => {
    expect(nextStockEpoch(0, 48)).toBe(1);
    expect(nextStockEpoch(3, 48)).toBe(4);
    expect(nextStockEpoch(1, stockEpochFloor(5) + 7)).toBe(6);
  });

  it('refuses epochs whose versions would not be safe integers', () => {
    expect(() => stockEpochFloor(-1)).toThrow(RangeError);
    expect(() => stockEpochFloor(2 ** 21)).toThrow(RangeError);
    expect(stockEpochFloor(2 ** 21 - 2)).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });
});
