import { LiveProtocolError } from './live-protocol';
import { LiveSubscriptions } from './live-subscriptions';

describe('LiveSubscriptions', () => {
  it('finds the clients of a product and the products of a client', () => {
    const subscriptions = new LiveSubscriptions<string>();
    subscriptions.subscribe('a', [1, 2]);
    subscriptions.subscribe('b', [2, 3]);
    expect([...subscriptions.clientsOf(2)].sort()).toEqual(['a', 'b']);
    expect([...subscriptions.clientsOf(1)]).toEqual(['a']);
    expect([...subscriptions.clientsOf(9)]).toEqual([]);
    expect(subscriptions.productsOf('b').sort()).toEqual([2, 3]);
    expect(subscriptions.watchedProducts().sort()).toEqual([1, 2, 3]);
    expect(subscriptions.clientCount).toBe(2);
    expect(subscriptions.subscriptionCount).toBe(4);
  });

  it('counts a product subscribed twice once', () => {
    const subscriptions = new LiveSubscriptions<string>(3);
    subscriptions.subscribe('a', [1, 2]);
    expect(subscriptions.subscribe('a', [2, 3])).toEqual([2, 3]);
    expect(subscriptions.subscriptionCount).toBe(3);
  });

  it('refuses to go over the limit per client and then adds nothing', () => {
    const subscriptions = new LiveSubscriptions<string>(3);
    subscriptions.subscribe('a', [1, 2]);
    expect(() => subscriptions.subscribe('a', [3, 4])).toThrow(LiveProtocolError);
    expect(() => subscriptions.subscribe('a', [3, 4])).toThrow(/at most 3 products per connection/);
    expect(subscriptions.productsOf('a').sort()).toEqual([1, 2]);
    expect([...subscriptions.clientsOf(3)]).toEqual([]);
    // Another client has its own allowance.
    subscriptions.subscribe('b', [3, 4, 5]);
  });

  it('unsubscribe returns the products nobody watches any more', () => {
    const subscriptions = new LiveSubscriptions<string>();
    subscriptions.subscribe('a', [1, 2]);
    subscriptions.subscribe('b', [2]);
    expect(subscriptions.unsubscribe('a', [1, 2, 7])).toEqual([1]);
    expect([...subscriptions.clientsOf(2)]).toEqual(['b']);
    expect(subscriptions.clientCount).toBe(1);
  });

  it('removing a client leaves nothing of it behind', () => {
    const subscriptions = new LiveSubscriptions<string>();
    subscriptions.subscribe('a', [1, 2]);
    subscriptions.subscribe('b', [2]);
    expect(subscriptions.remove('a')).toEqual([1]);
    expect(subscriptions.remove('a')).toEqual([]);
    expect(subscriptions.watchedProducts()).toEqual([2]);
    expect(subscriptions.remove('b')).toEqual([2]);
    expect(subscriptions.clientCount).toBe(0);
    expect(subscriptions.subscriptionCount).toBe(0);
  });
});
