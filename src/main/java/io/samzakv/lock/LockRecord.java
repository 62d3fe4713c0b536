package io.samzakv.lock;

import io.samzakv.kv.KvException;
import java.nio.ByteBuffer;

/**
 * A named lock as its record in the store: the last token handed out, when that holder's lease
 * ends, and whether the holder released it. A release keeps the token, so the next holder's token
 * is provably larger.
 *
 * <p>Stored as {@code [format 1][token 8][expires_at_ms 8][released 1]}, big-endian; the store's
 * own checksum covers it.
 */
record LockRecord(long token, long expiresAtMillis, boolean released) {
  /** What a lock that no one ever took looks like: free, and no token issued yet. */
  static final LockRecord NEVER_TAKEN = new LockRecord(0, 0, true);

  private static final byte FORMAT = 1;
  private static final int BYTES = 1 + Long.BYTES + Long.BYTES + 1;

  /** Whether a holder has it at {@code nowMillis}: taken, not released, lease not run out. */
  boolean heldAt(long nowMillis) {
    return !released && expiresAtMillis > nowMillis;
  }

  boolean heldBy(long holderToken, long nowMillis) {
    return heldAt(nowMillis) && token == holderToken;
  }

  /**
   * The record of a new holder. Its token is one above the last and at least the clock in
   * microseconds-ish units ({@code millis << 10}), so tokens keep growing across holders, across
   * restarts, and when the clock steps back.
   */
  LockRecord grantedAt(long nowMillis, long ttlMillis) {
    return new LockRecord(Math.max(token + 1, nowMillis << 10), nowMillis + ttlMillis, false);
  }

  LockRecord releasedNow() {
    return new LockRecord(token, expiresAtMillis, true);
  }

  byte[] encode() {
    return ByteBuffer.allocate(BYTES)
        .put(FORMAT)
        .putLong(token)
        .putLong(expiresAtMillis)
        .put((byte) (released ? 1 : 0))
        .array();
  }

  /** Decodes a stored record; {@code name} is only for the error. */
  static LockRecord decode(byte[] bytes, String name) {
    if (bytes.length != BYTES || bytes[0] != FORMAT || (bytes[BYTES - 1] & 0xFE) != 0) {
      throw KvException.corrupt("the record of lock '" + name + "' is not a lock record");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes, 1, BYTES - 1);
    return new LockRecord(buffer.getLong(), buffer.getLong(), buffer.get() == 1);
  }
}
