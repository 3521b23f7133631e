/**
 * Redis Cluster's key-to-slot mapping (the cluster spec: CRC16-XMODEM of the key, or of its hash
 * tag, modulo 16384), so unit tests can prove that every key one Lua script or MULTI touches
 * lives in one slot without a cluster at hand.
 */
export const REDIS_CLUSTER_SLOTS = 16384;

/**
 * The hash tag of the shop's Redis layout (stock ledger, carts, prices) when the ledger has one
 * shard: their scripts touch levels, carts and the outbox together, so on a Redis Cluster they
 * must share a slot. With several shards each has its own tag (libs/stock stock-keys.ts), and the
 * writes spread over the masters.
 */
export const SHOP_HASH_TAG = '{shop}';

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    table[byte] = crc;
  }
  return table;
})();

/** CRC16-XMODEM (polynomial 0x1021, initial 0), the checksum Redis Cluster hashes keys with. */
export function crc16(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff];
  }
  return crc;
}

/**
 * The part of `key` Redis hashes: the text between the first `{` and the next `}` when that is
 * not empty, else the whole key.
 */
export function hashedPartOf(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

/** The cluster slot of `key`, as `CLUSTER KEYSLOT` answers it. */
export function redisSlot(key: string): number {
  return crc16(Buffer.from(hashedPartOf(key), 'utf8')) % REDIS_CLUSTER_SLOTS;
}
