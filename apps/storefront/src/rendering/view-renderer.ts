import { Environment, FileSystemLoader } from 'nunjucks';
import { formatPrice } from '@shop/storefront';

/**
 * Nunjucks with autoescaping on: every `{{ value }}` is HTML-escaped unless it is a
 * TrustedHtml (an include tag or a fragment our own templates rendered). Templates never use
 * `| safe` on data.
 */
export class ViewRenderer {
  private readonly env: Environment;

  constructor(viewsDir: string) {
    this.env = new Environment(new FileSystemLoader(viewsDir), {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    });
    this.env.addFilter('price', (amount: unknown) =>
      typeof amount === 'number' ? formatPrice(amount) : '',
    );
  }

  render(template: string, context: object): string {
    return this.env.render(template, context);
  }
}
