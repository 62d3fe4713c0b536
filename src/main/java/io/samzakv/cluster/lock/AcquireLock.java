package io.samzakv.cluster.lock;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Takes the lock when it is free or its lease has run out, atomically on the member that owns the
 * entry. Returns the new fencing token, or 0 when someone else holds the lock.
 *
 * <p>Tokens are at least the clock in microseconds-ish units ({@code millis << 10}) as well as one
 * above the last, so they keep growing even after the whole cluster restarts and forgets the last.
 */
record AcquireLock(long ttlMillis) implements EntryProcessor<String, LockState, Long> {
  @Override
  public Long process(Map.Entry<String, LockState> entry) {
    long now = System.currentTimeMillis();
    LockState state = entry.getValue() == null ? LockState.NEW : entry.getValue();
    if (state.heldAt(now)) {
      return 0L;
    }
    long token = Math.max(state.lastToken() + 1, now << 10);
    entry.setValue(new LockState(token, token, now + ttlMillis));
    return token;
  }
}
