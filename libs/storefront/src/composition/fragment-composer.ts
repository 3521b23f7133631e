import { runtime } from 'nunjucks';
import { CompositionMode } from './composition-mode';
import { FragmentRef, fragmentPath } from './fragment-ref';

/** HTML the templates embed as is: an include tag we built, or a fragment our templates rendered. */
export type TrustedHtml = runtime.SafeString;

/** Renders a fragment's HTML in-process (the same HTML its /fragments route answers with). */
export interface FragmentSource {
  html(ref: FragmentRef): Promise<string>;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function esiInclude(ref: FragmentRef): string {
  return `<esi:include src="${escapeAttribute(fragmentPath(ref))}"/>`;
}

/**
 * The one place that decides between "let Varnish fetch it" and "render it here": pages ask for a
 * fragment and get either an `<esi:include>` tag or the fragment's HTML, never both.
 */
export class FragmentComposer {
  constructor(
    readonly mode: CompositionMode,
    private readonly source: FragmentSource,
  ) {}

  /** Whether the page will carry include tags (and so needs `Surrogate-Control: content="ESI/1.0"`). */
  get emitsEsi(): boolean {
    return this.mode === 'esi';
  }

  async compose(ref: FragmentRef): Promise<TrustedHtml> {
    const html = this.mode === 'esi' ? esiInclude(ref) : await this.source.html(ref);
    return new runtime.SafeString(html);
  }

  /** Several fragments at once; inline ones are rendered concurrently. */
  async composeAll<Key extends string>(
    refs: Record<Key, FragmentRef>,
  ): Promise<Record<Key, TrustedHtml>> {
    const keys = Object.keys(refs) as Key[];
    const rendered = await Promise.all(keys.map((key) => this.compose(refs[key])));
    return Object.fromEntries(keys.map((key, index) => [key, rendered[index]])) as Record<
      Key,
      TrustedHtml
    >;
  }

  /** One fragment per id (stock badges), keyed by id for the templates. */
  async composeEach(
    ids: readonly number[],
    refFor: (id: number) => FragmentRef,
  ): Promise<Record<number, TrustedHtml>> {
    const unique = [...new Set(ids)];
    const rendered = await Promise.all(unique.map((id) => this.compose(refFor(id))));
    return Object.fromEntries(unique.map((id, index) => [id, rendered[index]]));
  }
}
