import type { LoggerLike } from '@shop/common';
import { BatchLog, correlationList, observeBatchesWith } from './batch-log';
import type { BatchObserver } from '@shop/messaging';

function recordingLogger(): LoggerLike & { lines: [string, string][] } {
  const lines: [string, string][] = [];
  return {
    lines,
    log: (message) => lines.push(['log', message]),
    warn: (message) => lines.push(['warn', message]),
    error: (message) => lines.push(['error', message]),
  };
}

describe('correlationList', () => {
  it('lists distinct ids, capped', () => {
    expect(correlationList(['a', 'b', 'a'])).toBe('a, b');
    expect(correlationList([])).toBe('none');
    expect(correlationList(['a', 'b', 'c', 'd'], 2)).toBe('a, b, … (+2 more)');
  });
});

describe('BatchLog', () => {
  it("logs a handled batch at info and a failed one at warn, with its messages' request ids", () => {
    const logger = recordingLogger();
    const log = new BatchLog(logger);
    log.batch('stock', 3, 12, 'ok', ['req-1', 'req-2', 'req-1']);
    log.batch('product-search', 1, 40, 'error', ['req-3']);
    expect(logger.lines).toEqual([
      ['log', 'stock: 3 message(s) handled in 12 ms (correlation req-1, req-2)'],
      ['warn', 'product-search: batch of 1 failed after 40 ms (correlation req-3)'],
    ]);
  });
});

describe('observeBatchesWith', () => {
  it('tells every observer, with the correlation ids', () => {
    const seen: unknown[][] = [];
    const observer = (tag: string): BatchObserver => ({
      batch: (...args) => seen.push([tag, ...args]),
    });
    observeBatchesWith(observer('a'), observer('b')).batch('stock', 2, 5, 'ok', ['r']);
    expect(seen).toEqual([
      ['a', 'stock', 2, 5, 'ok', ['r']],
      ['b', 'stock', 2, 5, 'ok', ['r']],
    ]);
  });
});
