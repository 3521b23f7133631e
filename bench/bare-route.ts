// The peer every HTTP benchmark is printed next to: a bare Fastify route on this machine, with no
// framework, no dependency and no work. Run as its own process so it competes for the same cores
// the way the apps do. Usage: tsx bench/bare-route.ts <port>
import { parseArgs } from 'node:util';
import Fastify from 'fastify';

const { positionals } = parseArgs({ allowPositionals: true });
const port = Number(positionals[0] ?? 3999);
const app = Fastify({ logger: false });
app.get('/bare', () => ({ id: 1, stock: 10, version: 1 }));
app.put('/bare', () => ({ id: 1, stock: 10, version: 1 }));
app.listen({ port, host: '127.0.0.1' }).then(
  () => process.send?.('ready'),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
