package io.samzakv.replication;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replicas catching up on a partition this member is primary of: they are shipped every new
 * record from the moment they attach (the primary does not wait for them), so that once their
 * snapshot or tail is in, nothing between it and the live stream is missing.
 *
 * <p>A follower that fails to take a batch is detached (it must start over), and only an attached
 * follower may join the in-sync set.
 *
 * <p>Thread contract: safe for any thread.
 */
final class Followers {
  private final Map<Integer, Set<String>> catchingUp = new ConcurrentHashMap<>();

  void attach(int partition, String nodeId) {
    catchingUp.computeIfAbsent(partition, p -> ConcurrentHashMap.newKeySet()).add(nodeId);
  }

  void detach(int partition, String nodeId) {
    Set<String> followers = catchingUp.get(partition);
    if (followers != null) {
      followers.remove(nodeId);
    }
  }

  Set<String> of(int partition) {
    return catchingUp.getOrDefault(partition, Set.of());
  }
}
