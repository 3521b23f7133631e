import { eventually, eventuallyPasses } from './eventually';

/** A check that answers `answers` in turn, then keeps giving the last one. */
function scripted<T>(...answers: (T | Error)[]): { check: () => T; calls: () => number } {
  let calls = 0;
  return {
    check: () => {
      const answer = answers[Math.min(calls, answers.length - 1)];
      calls += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    calls: () => calls,
  };
}

describe('eventually', () => {
  const fast = { intervalMs: 1, timeoutMs: 1000 };

  it('resolves with the first value that is neither undefined nor false', async () => {
    const { check, calls } = scripted<string | undefined | false>(undefined, false, 'ready');
    await expect(eventually(check, fast)).resolves.toBe('ready');
    expect(calls()).toBe(3);
  });

  it('keeps polling while the check throws', async () => {
    const { check } = scripted<number>(new Error('not yet'), new Error('not yet'), 0);
    await expect(eventually(check, fast)).resolves.toBe(0);
  });

  it('fails after the timeout, naming what it waited for and the last error', async () => {
    const { check } = scripted<boolean>(new Error('connection refused'), false);
    await expect(
      eventually(check, { intervalMs: 1, timeoutMs: 30, what: 'the broker' }),
    ).rejects.toThrow('the broker did not hold within 30 ms: connection refused');
  });

  it('fails after the timeout without an error when the check only said not yet', async () => {
    await expect(eventually(() => undefined, { intervalMs: 1, timeoutMs: 20 })).rejects.toThrow(
      /^condition did not hold within 20 ms$/,
    );
  });
});

describe('eventuallyPasses', () => {
  it('resolves once the assertions stop failing', async () => {
    let value = 0;
    await eventuallyPasses(
      () => {
        value += 1;
        expect(value).toBeGreaterThanOrEqual(3);
      },
      { intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it("fails with the last assertion's message", async () => {
    await expect(
      eventuallyPasses(() => expect(1).toBe(2), { intervalMs: 1, timeoutMs: 20 }),
    ).rejects.toThrow(/did not hold within 20 ms: .*Expected: 2/s);
  });
});
