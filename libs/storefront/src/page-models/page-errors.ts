/**
 * What a page can answer besides 200. Thrown by the pure parsers and page builders; the page
 * service turns each into an HTML error page with its status (never a JSON body or a stack trace).
 */
export class BadPageRequest extends Error {
  override readonly name = 'BadPageRequest';
}

export class PageNotFound extends Error {
  override readonly name = 'PageNotFound';

  /**
   * @param cacheTags tags of the thing that is missing, so that creating it purges the cached 404
   *   (e.g. `product-42`); empty when the 404 must not be cached by tag.
   */
  constructor(
    message: string,
    readonly cacheTags: readonly string[] = [],
  ) {
    super(message);
  }
}
