import { compositionModeFor } from './composition-mode';
import { esiInclude, FragmentComposer, FragmentSource } from './fragment-composer';
import { FragmentRef, fragmentPath, MENU_FRAGMENT, stockFragment } from './fragment-ref';

class RecordingSource implements FragmentSource {
  readonly asked: FragmentRef[] = [];

  /** `failing`: the kinds rendered around a failed dependency (placeholders). */
  constructor(private readonly failing: readonly FragmentRef['kind'][] = []) {}

  render(ref: FragmentRef): Promise<{ html: string; complete: boolean }> {
    this.asked.push(ref);
    return Promise.resolve({
      html: `<div>${fragmentPath(ref)}</div>`,
      complete: !this.failing.includes(ref.kind),
    });
  }
}

describe('compositionModeFor', () => {
  it('is ESI when the surrogate announces ESI/1.0', () => {
    expect(compositionModeFor('varnish="ESI/1.0"')).toBe('esi');
    expect(compositionModeFor('abc="Other/1.0", varnish="esi/1.0"')).toBe('esi');
    expect(compositionModeFor(['x="ESI/1.0"'])).toBe('esi');
  });

  it('is inline otherwise', () => {
    expect(compositionModeFor(undefined)).toBe('inline');
    expect(compositionModeFor('')).toBe('inline');
    expect(compositionModeFor('varnish="ESI/1.01"')).toBe('inline');
  });
});

describe('fragmentPath', () => {
  it('names each fragment route', () => {
    expect(fragmentPath(MENU_FRAGMENT)).toBe('/fragments/menu');
    expect(fragmentPath({ kind: 'header' })).toBe('/fragments/header');
    expect(fragmentPath({ kind: 'footer' })).toBe('/fragments/footer');
    expect(fragmentPath(stockFragment(12))).toBe('/fragments/stock/12');
  });
});

describe('FragmentComposer', () => {
  it('emits include tags for Varnish and renders nothing itself', async () => {
    const source = new RecordingSource();
    const composer = new FragmentComposer('esi', source);
    expect(composer.emitsEsi).toBe(true);
    expect(String(await composer.compose(stockFragment(3)))).toBe(
      '<esi:include src="/fragments/stock/3"/>',
    );
    expect(source.asked).toEqual([]);
  });

  it('inlines the fragment HTML when serving without Varnish', async () => {
    const source = new RecordingSource();
    const composer = new FragmentComposer('inline', source);
    expect(composer.emitsEsi).toBe(false);
    expect(String(await composer.compose(MENU_FRAGMENT))).toBe('<div>/fragments/menu</div>');
    expect(source.asked).toEqual([MENU_FRAGMENT]);
  });

  it('composes named slots and one stock badge per distinct product', async () => {
    const composer = new FragmentComposer('inline', new RecordingSource());
    const slots = await composer.composeAll({ menu: MENU_FRAGMENT, footer: { kind: 'footer' } });
    expect(String(slots.menu)).toContain('/fragments/menu');
    expect(String(slots.footer)).toContain('/fragments/footer');
    const badges = await composer.composeEach([4, 5, 4], stockFragment);
    expect(Object.keys(badges)).toEqual(['4', '5']);
    expect(String(badges[5])).toBe('<div>/fragments/stock/5</div>');
  });

  it.each([
    ['anonymous', '<div>/fragments/header</div>', ['footer', 'header-anonymous', 'menu']],
    // Each shopper's header is their own: an include in the copy all shoppers share.
    ['shopper', '<esi:include src="/fragments/header"/>', ['footer', 'menu']],
  ] as const)(
    'for the %s audience, renders the fragments it shares into the page, and their tags',
    async (audience, header, tags) => {
      const source = new RecordingSource();
      const composer = new FragmentComposer('esi', source, { audience });
      expect(composer.emitsEsi).toBe(true);
      const slots = await composer.composeAll({
        menu: MENU_FRAGMENT,
        header: { kind: 'header' },
        footer: { kind: 'footer' },
      });
      expect(String(slots.menu)).toBe('<div>/fragments/menu</div>');
      expect(String(slots.header)).toBe(header);
      expect(String(slots.footer)).toBe('<div>/fragments/footer</div>');
      expect(composer.inlinedTags).toEqual(tags);
      expect(composer.complete).toBe(true);
    },
  );

  it.each(['anonymous', 'shopper'] as const)(
    "for the %s audience, renders a listing's badges into it under the listing tag alone",
    async (audience) => {
      const composer = new FragmentComposer('esi', new RecordingSource(), { audience });
      const badges = await composer.composeEach([7, 8, 7], stockFragment);
      expect(Object.values(badges).map(String)).toEqual([
        '<div>/fragments/stock/7</div>',
        '<div>/fragments/stock/8</div>',
      ]);
      // However many products it lists: one tag, which the stock consumer soft-purges.
      expect(composer.inlinedTags).toEqual(['listing']);
    },
  );

  it.each(['anonymous', 'shopper'] as const)(
    "for the %s audience, renders a product page's badge into it under the tag of its words",
    async (audience) => {
      const composer = new FragmentComposer('esi', new RecordingSource(), { audience });
      const badges = await composer.composeEach([7], stockFragment, { productPage: true });
      expect(String(badges[7])).toBe('<div>/fragments/stock/7</div>');
      expect(composer.inlinedTags).toEqual(['stock-label-7']);
    },
  );

  it('tags nothing on a page without Varnish', async () => {
    const direct = new FragmentComposer('inline', new RecordingSource());
    await direct.compose(stockFragment(7), { productPage: true });
    await direct.compose(MENU_FRAGMENT);
    expect(direct.inlinedTags).toEqual([]);
  });

  it('does not store an anonymous page whose badge could not be read', async () => {
    const product = new FragmentComposer('esi', new RecordingSource(['stock']), {
      audience: 'anonymous',
    });
    await product.compose(stockFragment(7), { productPage: true });
    expect(product.complete).toBe(false);
    const listing = new FragmentComposer('esi', new RecordingSource(['stock']), {
      audience: 'anonymous',
    });
    await listing.composeEach([7, 8], stockFragment);
    expect(listing.complete).toBe(false);
  });

  it('says when a shared fragment inside the page is a placeholder', async () => {
    const composer = new FragmentComposer('esi', new RecordingSource(['menu']), {
      audience: 'anonymous',
    });
    await composer.compose({ kind: 'footer' });
    expect(composer.complete).toBe(true);
    await composer.compose(MENU_FRAGMENT);
    expect(composer.complete).toBe(false);
  });

  it('inlines nothing through Varnish without an audience (a page never stored), and tags nothing', async () => {
    const source = new RecordingSource();
    const composer = new FragmentComposer('esi', source);
    expect(String(await composer.compose(MENU_FRAGMENT))).toBe(
      '<esi:include src="/fragments/menu"/>',
    );
    expect(String(await composer.compose(stockFragment(7)))).toBe(
      '<esi:include src="/fragments/stock/7"/>',
    );
    expect(source.asked).toEqual([]);
    expect(composer.inlinedTags).toEqual([]);
  });

  it('builds well-formed include tags', () => {
    expect(esiInclude({ kind: 'header' })).toBe('<esi:include src="/fragments/header"/>');
  });
});
