import { settleWithin, TimeoutError, withTimeout } from './timeout';

const never = (): Promise<never> => new Promise<never>(() => undefined);

describe('withTimeout', () => {
  it('passes the value through', async () => {
    await expect(withTimeout(Promise.resolve(7), 100, 'x')).resolves.toBe(7);
  });

  it('passes a rejection through', async () => {
    await expect(withTimeout(Promise.reject(new Error('refused')), 100, 'x')).rejects.toThrow(
      'refused',
    );
  });

  it('rejects with a TimeoutError naming the work when it hangs', async () => {
    const hung = withTimeout(never(), 20, 'es');
    await expect(hung).rejects.toBeInstanceOf(TimeoutError);
    await expect(hung).rejects.toThrow('es did not answer within 20 ms');
  });

  it("rejects with the caller's own error when it names one", async () => {
    const hung = withTimeout(never(), 20, () => new RangeError('channel not open within 20 ms'));
    await expect(hung).rejects.toBeInstanceOf(RangeError);
    await expect(hung).rejects.toThrow('channel not open within 20 ms');
  });
});

describe('settleWithin', () => {
  it('is true when the work resolves in time', async () => {
    await expect(settleWithin(Promise.resolve('done'), 100)).resolves.toBe(true);
  });

  it('is true when the work rejects in time', async () => {
    await expect(settleWithin(Promise.reject(new Error('closed')), 100)).resolves.toBe(true);
  });

  it('is false, without rejecting, when the work hangs', async () => {
    await expect(settleWithin(never(), 20)).resolves.toBe(false);
  });
});
