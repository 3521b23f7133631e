/**
 * What to purge for a change. Hard: the objects are dropped, the next view fetches the new
 * data. Soft: the objects expire but stay usable for grace, so the next view still gets the old
 * copy once while Varnish refreshes it in the background; right for listings, which show many
 * products and are expensive to rebuild all at once.
 *
 * The sync consumers build their plans themselves, each AFTER its own write is visible (stock
 * tags once Redis moved, product and listing tags once Elasticsearch holds the new document):
 * a plan built from the event alone would purge before the index changed.
 */
export interface PurgePlan {
  readonly hard: readonly string[];
  readonly soft: readonly string[];
}
