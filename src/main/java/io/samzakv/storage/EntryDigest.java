package io.samzakv.storage;

import java.nio.ByteBuffer;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The 64-bit digest of one entry: xxHash64 of the key, chained into xxHash64 of the value's first
 * {@code prefixBytes}. The engine stores opaque values, but the layer above tells it how many
 * leading bytes identify a value: the codec's header carries the version and a CRC32C of the whole
 * value, so hashing the key and that header is as telling as hashing everything, at a fixed cost
 * whatever the value's size. Damage to the rest of a value is the codec's CRC's to find.
 *
 * <p>Thread contract: immutable; the xxHash instance is thread-safe.
 */
public final class EntryDigest {
  private static final XXHash64 XX = XXHashFactory.fastestJavaInstance().hash64();
  private static final long SEED = 0x5ca1ab1e_5eed_0001L;

  private final int prefixBytes;

  public EntryDigest(int prefixBytes) {
    if (prefixBytes < 0) {
      throw new IllegalArgumentException("prefixBytes must be >= 0, got " + prefixBytes);
    }
    this.prefixBytes = prefixBytes;
  }

  /** The digest of an entry being written. */
  public long of(byte[] key, byte[] value) {
    long keyHash = XX.hash(key, 0, key.length, SEED);
    return XX.hash(value, 0, Math.min(prefixBytes, value.length), keyHash);
  }

  /** The digest of an entry read back; the buffers' positions and limits are left unchanged. */
  public long of(ByteBuffer key, ByteBuffer value) {
    long keyHash = XX.hash(key, key.position(), key.remaining(), SEED);
    return XX.hash(value, value.position(), Math.min(prefixBytes, value.remaining()), keyHash);
  }
}
