import { CategoryNode, ProductSearchResult } from '@shop/contracts';
import { CatalogProduct, CatalogProductQuery } from '@shop/storefront';
import { expectOk, fetchJson } from './fetch-json';
import { categoryTreeSchema, productSchema, productSearchResultSchema } from './schemas';

const SERVICE = 'catalog-api';

type CatalogQueryValue = CatalogProductQuery[keyof CatalogProductQuery];

/** Reads the catalog API (`CATALOG_API_URL`) on behalf of the pages. */
export class CatalogClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 1500,
  ) {}

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  searchProducts(query: CatalogProductQuery): Promise<ProductSearchResult> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query) as [string, CatalogQueryValue][]) {
      const values = Array.isArray(value) ? value : [value];
      for (const one of values) {
        if (one !== undefined && one !== '') params.append(name, String(one));
      }
    }
    params.sort();
    return fetchJson(this.url(`/products?${params.toString()}`), productSearchResultSchema, {
      service: SERVICE,
      timeoutMs: this.timeoutMs,
    });
  }

  /** Throws UpstreamNotFoundError for an unknown id. */
  product(id: number): Promise<CatalogProduct> {
    return fetchJson(this.url(`/products/${id}`), productSchema, {
      service: SERVICE,
      timeoutMs: this.timeoutMs,
    });
  }

  categories(): Promise<CategoryNode[]> {
    return fetchJson(this.url('/categories'), categoryTreeSchema, {
      service: SERVICE,
      timeoutMs: this.timeoutMs,
    });
  }

  health(): Promise<void> {
    return expectOk(this.url('/health'), this.timeoutMs);
  }
}
