import { SILENT_LOGGER } from '@shop/common';
import { PublishedStockEvents, type StockBarrierTransport } from './published-stock-events';

/** A consumer that applies a barrier after `lag` polls; retry queues drain as scripted. */
function transport(options: { lag?: number; retries?: number[]; sendFailures?: number } = {}) {
  const sent: string[] = [];
  const polls = new Map<string, number>();
  const retries = [...(options.retries ?? [])];
  let sendFailures = options.sendFailures ?? 0;
  const fake: StockBarrierTransport = {
    send: (token) => {
      if (sendFailures > 0) {
        sendFailures -= 1;
        return Promise.reject(new Error('broker away'));
      }
      sent.push(token);
      return Promise.resolve();
    },
    reached: (token) => {
      const seen = (polls.get(token) ?? 0) + 1;
      polls.set(token, seen);
      return Promise.resolve(sent.includes(token) && seen > (options.lag ?? 0));
    },
    retriesWaiting: () => Promise.resolve(retries.shift() ?? 0),
  };
  return { fake, sent };
}

const fastAndQuiet = { pollMs: 1, logger: SILENT_LOGGER };

describe('PublishedStockEvents', () => {
  it('resolves once the consumer recorded the barrier and no retry is waiting', async () => {
    const { fake, sent } = transport({ lag: 3 });
    await new PublishedStockEvents(fake, fastAndQuiet).awaitAppliedInMysql();
    expect(sent).toHaveLength(1);
  });

  it('sends another barrier while retried events wait behind the first', async () => {
    const { fake, sent } = transport({ retries: [2, 0] });
    await new PublishedStockEvents(fake, fastAndQuiet).awaitAppliedInMysql();
    expect(sent).toHaveLength(2);
    expect(new Set(sent).size).toBe(2);
  });

  it('keeps trying to send while the broker is away', async () => {
    const { fake, sent } = transport({ sendFailures: 2 });
    await new PublishedStockEvents(fake, fastAndQuiet).awaitAppliedInMysql();
    expect(sent).toHaveLength(1);
  });

  it('stops waiting when aborted, without resolving', async () => {
    const never: StockBarrierTransport = {
      send: () => Promise.resolve(),
      reached: () => Promise.resolve(false),
      retriesWaiting: () => Promise.resolve(0),
    };
    const stop = new AbortController();
    const waiting = new PublishedStockEvents(never, {
      pollMs: 1,
      logger: SILENT_LOGGER,
    }).awaitAppliedInMysql(stop.signal);
    stop.abort();
    await expect(waiting).rejects.toThrow(/abort/i);
  });

  it('says in the log that it is still waiting', async () => {
    const warnings: string[] = [];
    const { fake } = transport({ lag: 20 });
    await new PublishedStockEvents(fake, {
      pollMs: 1,
      reportEveryMs: 0,
      logger: { ...SILENT_LOGGER, warn: (line: string) => warnings.push(line) },
    }).awaitAppliedInMysql();
    expect(warnings.join('\n')).toMatch(/stock→MySQL consumer has not applied/);
  });
});
