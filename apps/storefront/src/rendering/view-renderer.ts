import { Environment, FileSystemLoader } from 'nunjucks';
import { formatPrice } from '@shop/storefront';

/**
 * Nunjucks with autoescaping on: every `{{ value }}` is HTML-escaped unless it is a
 * TrustedHtml (an include tag or a fragment our own templates rendered). Templates never use
 * `| safe` on data.
 */
/** What every template may use besides its own context. */
export interface ViewGlobals {
  /** `<script type="module" src>` of the live badge script (a versioned /assets URL). */
  liveScriptUrl: string;
  /** Badges say "Only N left" below this (STOREFRONT_LOW_STOCK_BELOW). */
  lowStockBelow: number;
}

export class ViewRenderer {
  private readonly env: Environment;

  constructor(viewsDir: string, globals: ViewGlobals) {
    this.env = new Environment(new FileSystemLoader(viewsDir), {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    });
    this.env.addFilter('price', (amount: unknown) =>
      typeof amount === 'number' ? formatPrice(amount) : '',
    );
    for (const [name, value] of Object.entries(globals)) this.env.addGlobal(name, value);
  }

  render(template: string, context: object): string {
    return this.env.render(template, context);
  }
}
