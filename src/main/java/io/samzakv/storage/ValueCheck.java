package io.samzakv.storage;

import java.nio.ByteBuffer;

/** The caller's test of a stored value during a scrub; the engine itself cannot read values. */
@FunctionalInterface
public interface ValueCheck {
  /**
   * True when {@code stored} is intact. The buffer is only valid during the call and must not be
   * modified.
   */
  boolean intact(ByteBuffer stored);
}
