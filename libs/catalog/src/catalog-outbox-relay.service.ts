import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectShopConfig, type ShopConfig } from '@shop/config';
import { ConfirmingPublisher } from '@shop/messaging';
import { OutboxRepository } from '@shop/persistence';
import { CatalogOutboxRelay } from './catalog-outbox-relay';

/**
 * Runs the outbox relay inside the app that writes the outbox, so a write is published the
 * moment it commits (`notify`) instead of at the next poll. Several instances are safe: rows
 * are claimed with SKIP LOCKED.
 */
@Injectable()
export class CatalogOutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly relay: CatalogOutboxRelay;

  constructor(
    outbox: OutboxRepository,
    publisher: ConfirmingPublisher,
    @InjectShopConfig() config: ShopConfig,
  ) {
    this.relay = new CatalogOutboxRelay(outbox, publisher, {
      retentionMs: config.OUTBOX_RETENTION_HOURS * 60 * 60 * 1000,
    });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }

  notify(): void {
    this.relay.notify();
  }
}
