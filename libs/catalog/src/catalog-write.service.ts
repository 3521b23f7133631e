import { Injectable } from '@nestjs/common';
import type { Product } from '@shop/contracts';
import {
  ProductRepository,
  toProduct,
  type ProductInput,
  type ProductPatch,
  type ProductWriteOptions,
} from '@shop/persistence';
import { CatalogOutboxRelayService } from './catalog-outbox-relay.service';

/**
 * Merchandisers' product writes. MySQL is the source of truth: each write commits the product and
 * its outbox event in one transaction, then wakes this process's outbox relay so the event is
 * published at once instead of at the next poll; search and caches follow through the sync
 * worker. A write that fails commits nothing and wakes nobody.
 */
@Injectable()
export class CatalogWriteService {
  constructor(
    private readonly products: ProductRepository,
    private readonly relay: CatalogOutboxRelayService,
  ) {}

  async create(input: ProductInput, options: ProductWriteOptions = {}): Promise<Product> {
    const product = await this.products.create(input, options);
    this.relay.notify();
    return toProduct(product);
  }

  async replace(
    id: number,
    input: ProductInput,
    options: ProductWriteOptions = {},
  ): Promise<Product> {
    const product = await this.products.replace(id, input, options);
    this.relay.notify();
    return toProduct(product);
  }

  async patch(
    id: number,
    patch: ProductPatch,
    options: ProductWriteOptions = {},
  ): Promise<Product> {
    const product = await this.products.patch(id, patch, options);
    this.relay.notify();
    return toProduct(product);
  }

  async delete(id: number, options: ProductWriteOptions = {}): Promise<void> {
    await this.products.delete(id, options);
    this.relay.notify();
  }
}
