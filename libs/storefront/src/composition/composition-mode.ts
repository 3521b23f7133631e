/**
 * How a page gets its fragments: Varnish announces that it will process ESI with
 * `Surrogate-Capability: varnish="ESI/1.0"` on its backend requests, and then the page carries
 * `<esi:include>` tags; anyone else (a developer's curl, a health check, a test) gets the
 * fragments rendered inline, so a page from the app directly is still whole.
 */
export type CompositionMode = 'esi' | 'inline';

export const SURROGATE_CAPABILITY_HEADER = 'surrogate-capability';

export function compositionModeFor(
  surrogateCapability: string | string[] | undefined,
): CompositionMode {
  const value = Array.isArray(surrogateCapability)
    ? surrogateCapability.join(',')
    : (surrogateCapability ?? '');
  return /(^|[\s,=";])ESI\/1\.0($|[\s,";])/i.test(value) ? 'esi' : 'inline';
}

/**
 * Set by Varnish on every page request it may store (and removed from what clients send):
 * `anonymous` for a visitor without a cart or user cookie, `shopper` for anyone else. Varnish
 * keeps one copy of a page per audience; the anonymous one carries the shared fragments inline.
 */
export const AUDIENCE_HEADER = 'x-shop-audience';

export function isAnonymousAudience(value: string | string[] | undefined): boolean {
  return value === 'anonymous';
}
