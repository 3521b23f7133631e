import { HealthIndicatorService } from '@nestjs/terminus';
import { probeDependency } from './dependency-probe';

describe('probeDependency', () => {
  const health = new HealthIndicatorService();

  it('reports up when the call resolves', async () => {
    await expect(probeDependency(health, 'redis', () => Promise.resolve('PONG'))).resolves.toEqual({
      redis: { status: 'up' },
    });
  });

  it('reports down in its own words when a client library rejects', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), {
      code: 'ECONNREFUSED',
    });
    const result = await probeDependency(health, 'mysql', () => Promise.reject(refused));
    expect(result).toEqual({
      mysql: { status: 'down', message: 'mysql is unavailable (connection refused)' },
    });
  });

  it('never repeats a client library message it has no reason for', async () => {
    const result = await probeDependency(health, 'redis', () =>
      Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    );
    expect(result).toEqual({ redis: { status: 'down', message: 'redis is unavailable' } });
  });

  it('keeps the message of an error written for people', async () => {
    class LedgerNotReady extends Error {}
    const result = await probeDependency(
      health,
      'ledger',
      () => Promise.reject(new LedgerNotReady('the stock ledger is being restored')),
      2000,
      [LedgerNotReady],
    );
    expect(result).toEqual({
      ledger: { status: 'down', message: 'the stock ledger is being restored' },
    });
  });

  it('reports down when the call hangs past the timeout', async () => {
    const result = await probeDependency(health, 'es', () => new Promise(() => undefined), 20);
    expect(result).toEqual({ es: { status: 'down', message: 'es did not answer within 20 ms' } });
  });
});
