import { OutstandingDeliveries, planAcks } from './ack-plan';

describe('planAcks', () => {
  it('acks a contiguous run from the lowest outstanding tag with one multiple-ack', () => {
    expect(planAcks([1, 2, 3, 4], new Set([1, 2, 3, 4]))).toEqual({ upTo: 4, singles: [] });
  });

  it('never sweeps up a delivery that is still unsettled', () => {
    // 3 is waiting for its dead-letter copy to be confirmed.
    expect(planAcks([1, 2, 3, 4, 5], new Set([1, 2, 4, 5]))).toEqual({ upTo: 2, singles: [4, 5] });
  });

  it('acks singly when the lowest outstanding tag is not done', () => {
    expect(planAcks([7, 8, 9], new Set([8, 9]))).toEqual({ upTo: undefined, singles: [8, 9] });
  });

  it('uses a plain ack for a run of one', () => {
    expect(planAcks([5, 6], new Set([5]))).toEqual({ upTo: undefined, singles: [5] });
  });

  it('handles an empty set', () => {
    expect(planAcks([1, 2], new Set())).toEqual({ upTo: undefined, singles: [] });
  });
});

describe('OutstandingDeliveries', () => {
  it('forgets what it settled and ignores unknown tags', () => {
    const outstanding = new OutstandingDeliveries();
    [1, 2, 3].forEach((tag) => outstanding.add(tag));
    expect(outstanding.settle([1, 2, 99])).toEqual({ upTo: 2, singles: [] });
    expect(outstanding.size).toBe(1);
    expect(outstanding.has(3)).toBe(true);
    outstanding.forget([3]);
    expect(outstanding.size).toBe(0);
  });
});
