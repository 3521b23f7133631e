import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { z } from 'zod';
import { expectOk, fetchJson } from './fetch-json';
import {
  UpstreamNotFoundError,
  UpstreamRejectedError,
  UpstreamUnavailableError,
} from './upstream-errors';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A peer that answers each path with a canned handler; `/hang` never answers. */
async function startPeer(
  routes: Record<string, Handler>,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const handler = routes[request.url ?? ''];
    if (handler) handler(request, response);
    else response.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const json =
  (status: number, body: unknown): Handler =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

describe('fetchJson', () => {
  const schema = z.object({ id: z.number() });
  const options = { service: 'peer', timeoutMs: 200 };
  let peer: { server: Server; url: string };

  beforeAll(async () => {
    peer = await startPeer({
      '/ok': json(200, { id: 1, extra: 'dropped' }),
      '/missing': json(404, {
        statusCode: 404,
        error: 'Not Found',
        message: 'Product 9 not found',
      }),
      '/bad': json(400, {
        statusCode: 400,
        error: 'Bad Request',
        message: 'page must be at most 800',
      }),
      '/down': json(503, { statusCode: 503 }),
      '/wrong': json(200, { id: 'one' }),
      '/html': (_request, response) => response.writeHead(200).end('<html>'),
      '/hang': () => undefined,
    });
  });

  afterAll(async () => {
    peer.server.closeAllConnections();
    await new Promise((resolve) => peer.server.close(resolve));
  });

  it('returns the parsed body without unknown fields', async () => {
    await expect(fetchJson(`${peer.url}/ok`, schema, options)).resolves.toEqual({ id: 1 });
  });

  it("maps 404 to not found and other 4xx to rejected, keeping the peer's message", async () => {
    await expect(fetchJson(`${peer.url}/missing`, schema, options)).rejects.toThrow(
      new UpstreamNotFoundError('Product 9 not found'),
    );
    const rejected = fetchJson(`${peer.url}/bad`, schema, options);
    await expect(rejected).rejects.toBeInstanceOf(UpstreamRejectedError);
    await expect(rejected).rejects.toMatchObject({
      status: 400,
      message: 'page must be at most 800',
    });
  });

  it('counts 5xx, bodies that do not match, non-JSON, hangs and refused connections as unavailable', async () => {
    for (const path of ['/down', '/wrong', '/html', '/hang']) {
      await expect(fetchJson(`${peer.url}${path}`, schema, options)).rejects.toBeInstanceOf(
        UpstreamUnavailableError,
      );
    }
    await expect(fetchJson(`${peer.url}/hang`, schema, options)).rejects.toThrow(/timed out/);
    await expect(fetchJson('http://127.0.0.1:1/x', schema, options)).rejects.toThrow(
      /peer unavailable/,
    );
  });
});

describe('expectOk', () => {
  it('resolves on 2xx and rejects otherwise', async () => {
    const peer = await startPeer({
      '/health': json(200, { status: 'ok' }),
      '/sick': json(503, {}),
    });
    try {
      await expect(expectOk(`${peer.url}/health`, 200)).resolves.toBeUndefined();
      await expect(expectOk(`${peer.url}/sick`, 200)).rejects.toThrow(/503/);
    } finally {
      await new Promise((resolve) => peer.server.close(resolve));
    }
  });
});
