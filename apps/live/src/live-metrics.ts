import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shop/observability';
import { Counter, Gauge, type Registry } from 'prom-client';

/** The gateway's Prometheus series, next to the default process and HTTP ones. */
@Injectable()
export class LiveMetrics {
  readonly connections: Gauge;
  readonly subscriptions: Gauge;
  readonly changesReceived: Counter;
  readonly invalidChanges: Counter;
  readonly stockMessagesSent: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.connections = new Gauge({
      name: 'live_connections',
      help: 'Open WebSocket connections of this gateway process',
      registers: [registry],
    });
    this.subscriptions = new Gauge({
      name: 'live_subscriptions',
      help: 'Product subscriptions over all connections of this process',
      registers: [registry],
    });
    this.changesReceived = new Counter({
      name: 'live_stock_changes_received_total',
      help: 'Stock changes received from the stock exchange',
      registers: [registry],
    });
    this.invalidChanges = new Counter({
      name: 'live_stock_changes_invalid_total',
      help: 'Messages on the stock exchange that were not stock changes (dropped)',
      registers: [registry],
    });
    this.stockMessagesSent = new Counter({
      name: 'live_stock_messages_sent_total',
      help: 'Stock messages sent to clients (current figures and coalesced changes)',
      registers: [registry],
    });
  }
}
