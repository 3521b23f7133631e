import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const options = { initialMs: 100, maxMs: 1000 };

  it('starts at the initial delay and doubles per attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, options))).toEqual([
      100, 200, 400, 800,
    ]);
  });

  it('never grows past the maximum, however many attempts failed', () => {
    expect(backoffDelay(5, options)).toBe(1000);
    expect(backoffDelay(5000, options)).toBe(1000);
  });

  it('treats attempt 0 as the first retry', () => {
    expect(backoffDelay(0, options)).toBe(100);
  });

  it('with equal jitter, waits between half and all of the delay', () => {
    const jittered = { ...options, jitter: 'equal' as const };
    expect(backoffDelay(3, { ...jittered, random: () => 0 })).toBe(200);
    expect(backoffDelay(3, { ...jittered, random: () => 0.5 })).toBe(300);
    expect(backoffDelay(3, { ...jittered, random: () => 0.999_999 })).toBe(400);
  });
});
