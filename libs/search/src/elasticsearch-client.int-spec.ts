import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createElasticsearchClient } from './elasticsearch.module';
import { checkElasticsearchHealth } from './search-health';
import { ELASTICSEARCH_TEST_NODES } from './testing/product-fixtures';

/**
 * The apps' client over several nodes after every node was away: a whole-cluster restart (or a
 * network cut) must not leave a process answering 503 once the nodes are back. Each "node" here
 * is a TCP relay to the real Elasticsearch that the test can cut and restore on the same port.
 */
class NodeRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: URL) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Refuses new connections and drops the open ones, as a node that went away. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('Elasticsearch client over several nodes (createElasticsearchClient)', () => {
  const relays = [0, 1, 2].map(() => new NodeRelay(new URL(ELASTICSEARCH_TEST_NODES[0])));

  afterAll(async () => {
    for (const relay of relays) await relay.cut();
  });

  it('answers again as soon as the nodes are back after all of them were away', async () => {
    for (const relay of relays) await relay.open();
    const client = createElasticsearchClient(relays.map((relay) => relay.url));
    try {
      for (let i = 0; i < 5; i++) expect((await checkElasticsearchHealth(client)).up).toBe(true);

      for (const relay of relays) await relay.cut();
      // A minute of health probes every two seconds while the cluster is away.
      for (let i = 0; i < 30; i++) {
        expect((await checkElasticsearchHealth(client)).up).toBe(false);
      }

      for (const relay of relays) await relay.open();
      // The next probes reach a node again: no long wait for the client to trust one.
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push((await checkElasticsearchHealth(client)).up);
      expect(answers).toEqual([true, true, true]);
    } finally {
      await client.close();
    }
  });
});
