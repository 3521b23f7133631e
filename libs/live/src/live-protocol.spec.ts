import { LiveProtocolError, MAX_LIVE_PRODUCTS, parseLiveClientMessage } from './live-protocol';

describe('parseLiveClientMessage', () => {
  it('reads subscribe and unsubscribe', () => {
    expect(parseLiveClientMessage('{"type":"subscribe","products":[1,2,3]}')).toEqual({
      type: 'subscribe',
      products: [1, 2, 3],
    });
    expect(parseLiveClientMessage('{"type":"unsubscribe","products":[4294967295]}')).toEqual({
      type: 'unsubscribe',
      products: [4294967295],
    });
  });

  it(`takes ${MAX_LIVE_PRODUCTS} ids and refuses ${MAX_LIVE_PRODUCTS + 1}`, () => {
    const ids = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
    const text = (n: number): string => JSON.stringify({ type: 'subscribe', products: ids(n) });
    expect(parseLiveClientMessage(text(MAX_LIVE_PRODUCTS)).products).toHaveLength(200);
    expect(() => parseLiveClientMessage(text(MAX_LIVE_PRODUCTS + 1))).toThrow(/at most 200 ids/);
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['an array', '[1]', /JSON object/],
    ['null', 'null', /JSON object/],
    ['no type', '{"products":[1]}', /type must be/],
    ['an unknown type', '{"type":"stock","products":[1]}', /type must be/],
    ['no products', '{"type":"subscribe"}', /non-empty array/],
    ['empty products', '{"type":"subscribe","products":[]}', /non-empty array/],
    ['products not an array', '{"type":"subscribe","products":1}', /non-empty array/],
    ['a string id', '{"type":"subscribe","products":["1"]}', /products\[0\] must be a product id/],
    ['id 0', '{"type":"subscribe","products":[0]}', /products\[0\]/],
    ['a negative id', '{"type":"subscribe","products":[2,-1]}', /products\[1\]/],
    ['a fraction', '{"type":"subscribe","products":[1.5]}', /products\[0\]/],
    ['an id past INT UNSIGNED', '{"type":"subscribe","products":[4294967296]}', /products\[0\]/],
    ['a repeated id', '{"type":"subscribe","products":[7,7]}', /repeats product 7/],
    ['an extra field', '{"type":"subscribe","products":[1],"all":true}', /unknown field "all"/],
  ])('refuses %s', (_case, text, message) => {
    expect(() => parseLiveClientMessage(text)).toThrow(LiveProtocolError);
    expect(() => parseLiveClientMessage(text)).toThrow(message);
  });

  it('refuses an oversized frame before parsing it', () => {
    const text = JSON.stringify({ type: 'subscribe', products: [1], pad: 'x'.repeat(20_000) });
    expect(() => parseLiveClientMessage(text)).toThrow(/over 16384 bytes/);
  });
});
