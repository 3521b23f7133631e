import { crc16, hashedPartOf, redisSlot, SHOP_HASH_TAG } from './redis-slot';

describe('redisSlot', () => {
  it('computes CRC16-XMODEM as the cluster spec gives it', () => {
    // The spec's check value for CRC16-XMODEM.
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
    expect(crc16(Buffer.alloc(0))).toBe(0);
  });

  it('answers what CLUSTER KEYSLOT answers', () => {
    // Values printed by `redis-cli -c CLUSTER KEYSLOT <key>` on Redis 7.0.
    expect(redisSlot('foo')).toBe(12182);
    expect(redisSlot('bar')).toBe(5061);
    expect(redisSlot('somekey')).toBe(11058);
  });

  it('hashes only the hash tag when the key has one', () => {
    expect(redisSlot('{user1000}.following')).toBe(redisSlot('{user1000}.followers'));
    expect(redisSlot('{user1000}.following')).toBe(redisSlot('user1000'));
    expect(hashedPartOf(`stock:${SHOP_HASH_TAG}:level:1`)).toBe('shop');
  });

  it('follows the spec on unusual braces', () => {
    expect(hashedPartOf('foo{}{bar}')).toBe('foo{}{bar}');
    expect(hashedPartOf('foo{{bar}}zap')).toBe('{bar');
    expect(hashedPartOf('foo{bar}{zap}')).toBe('bar');
    expect(hashedPartOf('foo{bar')).toBe('foo{bar');
  });
});
