package io.samzakv.cluster.lock;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/** Frees the lock if {@code token} is the live holder's; returns whether it was. */
record ReleaseLock(long token) implements EntryProcessor<String, LockState, Boolean> {
  @Override
  public Boolean process(Map.Entry<String, LockState> entry) {
    LockState state = entry.getValue();
    if (state == null
        || state.holderToken() != token
        || !state.heldAt(System.currentTimeMillis())) {
      return false;
    }
    entry.setValue(new LockState(state.lastToken(), 0, 0));
    return true;
  }
}
