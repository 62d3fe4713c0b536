package io.samzakv.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The table in a Hazelcast {@link IMap} entry, for clusters started with fewer than three members,
 * where the CP Subsystem cannot form. {@code putIfAbsent} and {@code replace(key, old, new)} are
 * atomic on the entry's owner, so members that see each other never lose a change to a race.
 *
 * <p><b>Not partition-safe:</b> the map is AP. When a network partition splits the cluster, each
 * side promotes the entry's backup and both sides may change the table under the same epoch; when
 * they merge, one side's table silently wins. Likewise a paused owner's entry may be replaced by a
 * backup's. Only the CP store ({@link CpTableStore}) guarantees one table per epoch.
 */
public final class MapTableStore extends AtomicTableStore {
  static final String NAME = "kv-table";
  private static final String KEY = "table";

  private final HazelcastInstance hazelcast;
  private volatile IMap<String, String> map;

  public MapTableStore(Vertx vertx, HazelcastInstance hazelcast) {
    super(vertx, "kv-table-store-map");
    this.hazelcast = hazelcast;
  }

  /** Blocking (creates the proxy once). */
  private IMap<String, String> map() {
    IMap<String, String> made = map;
    if (made == null) {
      made = hazelcast.getMap(NAME);
      map = made;
    }
    return made;
  }

  @Override
  Future<String> get() {
    return blocking(() -> map().get(KEY));
  }

  @Override
  Future<Boolean> setIfAbsent(String value) {
    return blocking(() -> map().putIfAbsent(KEY, value) == null);
  }

  @Override
  Future<Boolean> swap(String expected, String next) {
    return blocking(() -> map().replace(KEY, expected, next));
  }
}
