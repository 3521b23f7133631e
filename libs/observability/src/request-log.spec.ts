import Fastify, { type FastifyInstance } from 'fastify';
import pino, { type Level } from 'pino';
import { Writable } from 'node:stream';
import { registerRequestLog, requestLogLevel } from './request-log';

interface LoggedLine {
  level: number;
  msg: string;
  req: { id: string; method: string; url: string };
  res: { statusCode: number };
  responseTime: number;
}

async function appLoggingAt(level: Level | 'silent'): Promise<{
  app: FastifyInstance;
  lines: LoggedLine[];
}> {
  const lines: LoggedLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as LoggedLine);
      callback();
    },
  });
  const app = Fastify();
  registerRequestLog(app, pino({ level }, sink));
  app.get('/ok', () => ({ ok: true }));
  app.get('/health', () => ({ status: 'ok' }));
  app.get('/bad', async (_request, reply) => reply.status(409).send({ conflict: true }));
  app.get('/broken', async (_request, reply) => reply.status(503).send({ down: true }));
  await app.ready();
  return { app, lines };
}

describe('requestLogLevel', () => {
  it('logs successes at debug, client errors at warn, failures at error', () => {
    expect(requestLogLevel(200)).toBe('debug');
    expect(requestLogLevel(304)).toBe('debug');
    expect(requestLogLevel(400)).toBe('warn');
    expect(requestLogLevel(409)).toBe('warn');
    expect(requestLogLevel(500)).toBe('error');
    expect(requestLogLevel(503)).toBe('error');
  });
});

describe('registerRequestLog', () => {
  it('at info, writes client errors and failures but not successes', async () => {
    const { app, lines } = await appLoggingAt('info');
    await app.inject('/ok');
    await app.inject('/bad?x=1');
    await app.inject('/broken');
    await app.close();
    expect(lines.map((line) => [line.level, line.req.url, line.res.statusCode])).toEqual([
      [40, '/bad?x=1', 409],
      [50, '/broken', 503],
    ]);
    expect(lines[0]).toMatchObject({ msg: 'request completed', req: { method: 'GET' } });
    expect(typeof lines[0].responseTime).toBe('number');
  });

  it('at debug, writes successes too, but never the health and metrics polls', async () => {
    const { app, lines } = await appLoggingAt('debug');
    await app.inject('/ok');
    await app.inject('/health');
    await app.inject('/health?probe=1');
    await app.close();
    expect(lines.map((line) => [line.level, line.req.url])).toEqual([[20, '/ok']]);
  });

  it('writes nothing when silent', async () => {
    const { app, lines } = await appLoggingAt('silent');
    await app.inject('/broken');
    await app.close();
    expect(lines).toEqual([]);
  });
});

describe('request log of writes', () => {
  it('at info, writes one line per successful write, with the request id', async () => {
    const lines: LoggedLine[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()) as LoggedLine);
        callback();
      },
    });
    const app = Fastify({ genReqId: () => 'req-42' });
    registerRequestLog(app, pino({ level: 'info' }, sink));
    app.get('/stock', () => ({ stock: 1 }));
    app.put('/stock', () => ({ stock: 2 }));
    await app.ready();
    await app.inject('/stock');
    await app.inject({ method: 'PUT', url: '/stock' });
    await app.close();
    expect(lines.map((line) => [line.level, line.req.method, line.req.id])).toEqual([
      [30, 'PUT', 'req-42'],
    ]);
    expect(requestLogLevel(200, 'POST')).toBe('info');
    expect(requestLogLevel(204, 'DELETE')).toBe('info');
    expect(requestLogLevel(200, 'HEAD')).toBe('debug');
  });
});
