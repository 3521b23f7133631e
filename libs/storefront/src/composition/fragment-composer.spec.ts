import { compositionModeFor } from './composition-mode';
import { esiInclude, FragmentComposer, FragmentSource } from './fragment-composer';
import { FragmentRef, fragmentPath, MENU_FRAGMENT, stockFragment } from './fragment-ref';

class RecordingSource implements FragmentSource {
  readonly asked: FragmentRef[] = [];

  html(ref: FragmentRef): Promise<string> {
    this.asked.push(ref);
    return Promise.resolve(`<div>${fragmentPath(ref)}</div>`);
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

  it('builds well-formed include tags', () => {
    expect(esiInclude({ kind: 'header' })).toBe('<esi:include src="/fragments/header"/>');
  });
});
