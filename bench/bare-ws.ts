/**
 * The peer of `bench:live`: a bare `ws` server in a process of its own, fanning out the same
 * stream (each product's change to its subscribers) with nothing behind it: no RabbitMQ, no
 * Varnish pipe, no Nest. It sends a frame shaped like the gateway's, plus `sentAt` (epoch ms),
 * so the clients can time it. `process.send` tells the parent it listens; `{ rate, seconds,
 * products }` from the parent starts the stream, and the child answers `{ sent }` when done.
 */
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.argv[2]);
const subscribers = new Map<number, Set<WebSocket>>();
const server = new WebSocketServer({ port, host: '127.0.0.1' });

server.on('connection', (socket) => {
  socket.on('message', (data) => {
    const message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '{}') as {
      products: number[];
    };
    for (const id of message.products) {
      const set = subscribers.get(id) ?? new Set<WebSocket>();
      set.add(socket);
      subscribers.set(id, set);
      socket.send(JSON.stringify({ type: 'stock', id, stock: 0, version: 0, sentAt: 0 }));
    }
  });
  socket.on('close', () => {
    for (const set of subscribers.values()) set.delete(socket);
  });
});

server.on('listening', () => process.send?.('listening'));

process.on('message', (raw) => {
  const { rate, seconds, products } = raw as { rate: number; seconds: number; products: number };
  const total = rate * seconds;
  const started = performance.now();
  let sent = 0;
  const tick = (): void => {
    // Catch up to where the clock says we should be: timers on a busy core run late.
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    for (; sent < due; sent += 1) {
      const id = (sent % products) + 1;
      const frame = JSON.stringify({
        type: 'stock',
        id,
        stock: sent,
        version: sent + 1,
        sentAt: performance.timeOrigin + performance.now(),
      });
      for (const socket of subscribers.get(id) ?? []) socket.send(frame);
    }
    if (sent < total) setTimeout(tick, 5);
    else process.send?.({ sent });
  };
  tick();
});
