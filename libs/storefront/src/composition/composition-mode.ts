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
