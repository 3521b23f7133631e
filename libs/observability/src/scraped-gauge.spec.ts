import { Registry } from 'prom-client';
import { scrapedGauge } from './scraped-gauge';

describe('scrapedGauge', () => {
  it('reads the figure at every scrape', async () => {
    const registry = new Registry();
    let backlog = 3;
    scrapedGauge({ registry, name: 'x_backlog', help: 'h', read: () => Promise.resolve(backlog) });
    expect(await registry.metrics()).toContain('x_backlog 3');
    backlog = 7;
    expect(await registry.metrics()).toContain('x_backlog 7');
  });

  it('shows NaN while the source fails or hangs, and still answers', async () => {
    const registry = new Registry();
    let mode: 'ok' | 'fail' | 'hang' = 'ok';
    scrapedGauge({
      registry,
      name: 'x_backlog',
      help: 'h',
      timeoutMs: 20,
      read: () =>
        mode === 'ok'
          ? Promise.resolve(5)
          : mode === 'fail'
            ? Promise.reject(new Error('Connection is closed.'))
            : new Promise<number>(() => undefined),
    });
    expect(await registry.metrics()).toContain('x_backlog 5');
    mode = 'fail';
    expect(await registry.metrics()).toMatch(/^x_backlog nan$/im);
    mode = 'hang';
    expect(await registry.metrics()).toMatch(/^x_backlog nan$/im);
    mode = 'ok';
    expect(await registry.metrics()).toContain('x_backlog 5');
  });
});
