import { runInNewContext } from 'node:vm';
import { errorMessage } from './error-message';

describe('errorMessage', () => {
  it("is an error's message", () => {
    expect(errorMessage(new TypeError('fetch failed'))).toBe('fetch failed');
  });

  it('is the message of an error from another realm (instanceof Error is false there)', () => {
    const foreign: unknown = runInNewContext('new Error("from elsewhere")');
    expect(foreign instanceof Error).toBe(false);
    expect(errorMessage(foreign)).toBe('from elsewhere');
  });

  it('is a thrown string as it is', () => {
    expect(errorMessage('broker gone')).toBe('broker gone');
  });

  it('is anything else as JSON, or as text when it has no JSON', () => {
    expect(errorMessage({ code: 503 })).toBe('{"code":503}');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorMessage(10n)).toBe('10');
  });
});
