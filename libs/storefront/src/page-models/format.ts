const currency = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const wholeCurrency = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});

/** A price as shoppers read it: `$1,299.00`. */
export function formatPrice(amount: number): string {
  return currency.format(amount);
}

/** A facet boundary: `$20`, or `$19.99` when it has cents. */
export function formatPriceBound(amount: number): string {
  return Number.isInteger(amount) ? wholeCurrency.format(amount) : currency.format(amount);
}

/** `mens-shoes` → `Mens shoes`: the label of a category whose name we could not fetch. */
export function humanizeSlug(slug: string): string {
  const words = slug.replace(/-+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
