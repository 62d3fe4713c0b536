package io.samzakv.cluster.lock;

import java.io.Serializable;

/**
 * A named lock as stored in Hazelcast: the last token handed out (kept after release, so tokens
 * only grow), the holder's token (0 when free) and when the holder's lease ends.
 */
record LockState(long lastToken, long holderToken, long expiresAtMillis) implements Serializable {
  static final LockState NEW = new LockState(0, 0, 0);

  boolean heldAt(long nowMillis) {
    return holderToken != 0 && expiresAtMillis > nowMillis;
  }
}
