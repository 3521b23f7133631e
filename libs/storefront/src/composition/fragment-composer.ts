import { runtime } from 'nunjucks';
import {
  ANONYMOUS_HEADER_TAG,
  FOOTER_TAG,
  LISTING_TAG,
  MENU_TAG,
  stockLabelTag,
} from '@shop/http-cache';
import { CompositionMode } from './composition-mode';
import { FragmentRef, fragmentPath } from './fragment-ref';

/** HTML the templates embed as is: an include tag we built, or a fragment our templates rendered. */
export type TrustedHtml = runtime.SafeString;

/** Renders a fragment's HTML in-process (the same HTML its /fragments route answers with). */
export interface FragmentSource {
  /** `complete` is false when a dependency failed and a placeholder stands in. */
  render(ref: FragmentRef): Promise<{ html: string; complete: boolean }>;
}

/**
 * Whom the copy of a page Varnish stores is for (`X-Shop-Audience`): visitors with neither a cart
 * nor a user cookie, or shoppers, who each see their own header.
 */
export type PageAudience = 'anonymous' | 'shopper';

export interface FragmentComposerOptions {
  /**
   * Through Varnish, the copy the page is for: the fragments all of its audience share are
   * rendered into the page, which Varnish keeps as one object for them: the menu, the footer and
   * the stock badges for both, the header too for `anonymous`. A shopper's header stays an
   * include, fetched for each of them. Without an audience (pages Varnish never stores) every
   * fragment is an include. Each include costs Varnish about as much as a whole small object
   * (README, bench:cache).
   */
  audience?: PageAudience;
}

export interface ComposeOptions {
  /**
   * The fragment goes on the page of the one product it shows. A stock badge rendered into a
   * product page Varnish stores is tagged `stock-label-<id>`; into any other page (a listing),
   * `listing`, which such a page carries anyway. The stock consumer purges the first (hard) and
   * soft-purges the second when a change alters what a badge says, not at every hold or sale: one
   * tag per product would outgrow Varnish's header limits on a listing.
   */
  productPage?: boolean;
}

/**
 * The cache tag of each fragment every visitor without a cart or name shares: its /fragments
 * route answers under it, and a page that carries the fragment inline carries it too.
 */
export const SHARED_FRAGMENT_TAGS: Record<Exclude<FragmentRef['kind'], 'stock'>, string> = {
  menu: MENU_TAG,
  header: ANONYMOUS_HEADER_TAG,
  footer: FOOTER_TAG,
};

/** The tag under which a fragment rendered into a page Varnish keeps for everyone is purged. */
function sharedTagOf(ref: FragmentRef, options: ComposeOptions): string {
  if (ref.kind !== 'stock') return SHARED_FRAGMENT_TAGS[ref.kind];
  return options.productPage === true ? stockLabelTag(ref.productId) : LISTING_TAG;
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
  private readonly audience: PageAudience | undefined;
  private incomplete = false;
  private readonly tags = new Set<string>();

  constructor(
    readonly mode: CompositionMode,
    private readonly source: FragmentSource,
    options: FragmentComposerOptions = {},
  ) {
    this.audience = options.audience;
  }

  /** Whether the page will carry include tags (and so needs `Surrogate-Control: content="ESI/1.0"`). */
  get emitsEsi(): boolean {
    return this.mode === 'esi';
  }

  /**
   * Whether every fragment rendered into the page so far is complete. A page stored by Varnish
   * with a placeholder inside (a menu without categories) would keep it for the page's lifetime.
   */
  get complete(): boolean {
    return !this.incomplete;
  }

  /** The tags of the fragments rendered into a page Varnish stores: their purges reach the page. */
  get inlinedTags(): string[] {
    return [...this.tags].sort(); // in a stable order: fragments render concurrently
  }

  async compose(ref: FragmentRef, options: ComposeOptions = {}): Promise<TrustedHtml> {
    if (!this.inlines(ref)) return new runtime.SafeString(esiInclude(ref));
    const rendered = await this.source.render(ref);
    if (!rendered.complete) this.incomplete = true;
    if (this.mode === 'esi') this.tags.add(sharedTagOf(ref, options));
    return new runtime.SafeString(rendered.html);
  }

  /** Inline without Varnish; through it, what the stored copy's audience shares. */
  private inlines(ref: FragmentRef): boolean {
    if (this.mode !== 'esi') return true;
    if (this.audience === undefined) return false;
    return ref.kind !== 'header' || this.audience === 'anonymous';
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
    options: ComposeOptions = {},
  ): Promise<Record<number, TrustedHtml>> {
    const unique = [...new Set(ids)];
    const rendered = await Promise.all(unique.map((id) => this.compose(refFor(id), options)));
    return Object.fromEntries(unique.map((id, index) => [id, rendered[index]]));
  }
}
