package io.samzakv.storage.lmdb;

import java.nio.ByteBuffer;

/**
 * Moving bytes across the LMDB boundary. LMDB wants keys in direct buffers, and allocating one per
 * call is slow (direct allocation is synchronized and freed only by GC), so each thread reuses one
 * sized to the largest legal key. Bytes LMDB hands out live in its map and are only valid until the
 * transaction ends or the cursor moves, so they are always copied out.
 *
 * <p>Thread contract: {@link #key} returns a buffer owned by the calling thread, valid until that
 * thread's next call; the instance itself is safe to share.
 */
final class Buffers {

  private final int maxKeySize;
  private final ThreadLocal<ByteBuffer> keys;

  Buffers(int maxKeySize) {
    this.maxKeySize = maxKeySize;
    this.keys = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(maxKeySize));
  }

  /** {@code key} in this thread's direct key buffer. */
  ByteBuffer key(byte[] key) {
    ByteBuffer buffer = keys.get();
    buffer.clear();
    return buffer.put(key).flip();
  }

  /** Rejects keys LMDB would refuse: empty ones and those over its compile-time maximum. */
  void checkKey(byte[] key) {
    if (key.length == 0 || key.length > maxKeySize) {
      throw new IllegalArgumentException(
          "key length " + key.length + " is outside 1.." + maxKeySize + " bytes");
    }
  }

  /** A copy of the remaining bytes of a buffer pointing into LMDB memory. */
  static byte[] copy(ByteBuffer lmdbBuffer) {
    byte[] bytes = new byte[lmdbBuffer.remaining()];
    lmdbBuffer.get(lmdbBuffer.position(), bytes);
    return bytes;
  }
}
