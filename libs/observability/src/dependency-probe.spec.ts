import { HealthIndicatorService } from '@nestjs/terminus';
import { probeDependency } from './dependency-probe';

describe('probeDependency', () => {
  const health = new HealthIndicatorService();

  it('reports up when the call resolves', async () => {
    await expect(probeDependency(health, 'redis', () => Promise.resolve('PONG'))).resolves.toEqual({
      redis: { status: 'up' },
    });
  });

  it('reports down with the reason when the call rejects', async () => {
    const result = await probeDependency(health, 'mysql', () =>
      Promise.reject(new Error('connect ECONNREFUSED')),
    );
    expect(result).toEqual({ mysql: { status: 'down', message: 'connect ECONNREFUSED' } });
  });

  it('reports down when the call hangs past the timeout', async () => {
    const result = await probeDependency(health, 'es', () => new Promise(() => undefined), 20);
    expect(result).toEqual({ es: { status: 'down', message: 'es did not answer within 20 ms' } });
  });
});
