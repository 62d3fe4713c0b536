package io.samzakv.routing;

import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.ScanRange;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.samzakv.store.LocalStore;
import io.vertx.core.Future;

/**
 * The one place where routed requests reach this node's {@link LocalStore}, whether they arrived
 * here directly or were forwarded. Each call names the leader epoch at which the sender's table
 * made this node the partition's primary, and is refused ({@code not_primary}) unless this node
 * serves the partition under exactly that epoch.
 *
 * <p>Thread contract: as {@link LocalStore}, called on event loops.
 */
public final class LocalPartitions {
  private final LocalStore store;
  private final int maxValueBytes;

  public LocalPartitions(LocalStore store, int maxValueBytes) {
    this.store = store;
    this.maxValueBytes = maxValueBytes;
  }

  public Future<VersionedValue> get(int partition, long leaderEpoch, Key key) {
    KvException stale = fence(partition, leaderEpoch);
    return stale != null ? Future.failedFuture(stale) : store.get(partition, key);
  }

  /**
   * Refuses a request routed under another leader epoch than the one this node serves the partition
   * under (or taking it over, or handing it off): the sender retries on a fresh table.
   */
  private KvException fence(int partition, long leaderEpoch) {
    long serving = store.servingEpoch(partition);
    return serving == leaderEpoch
        ? null
        : KvException.notPrimary(
            "partition "
                + partition
                + " is served here under leader epoch "
                + serving
                + ", not "
                + leaderEpoch);
  }

  public Future<WriteResult> put(
      int partition, long leaderEpoch, Key key, byte[] value, Precondition precondition) {
    // Checked here, where every write is served: an event-bus client sends to the primary directly.
    if (value.length > maxValueBytes) {
      return Future.failedFuture(
          KvException.tooLarge(
              "value is " + value.length + " bytes; at most " + maxValueBytes + " are allowed"));
    }
    KvException stale = fence(partition, leaderEpoch);
    return stale != null
        ? Future.failedFuture(stale)
        : store.put(partition, key, value, precondition);
  }

  public Future<Void> delete(int partition, long leaderEpoch, Key key, Precondition precondition) {
    KvException stale = fence(partition, leaderEpoch);
    return stale != null ? Future.failedFuture(stale) : store.delete(partition, key, precondition);
  }

  /** Up to {@code limit} entries of {@code range} across {@code partitions}, in key order. */
  public Future<ScanPage> scan(int[] partitions, ScanRange range, int limit) {
    return store.scan(partitions, range, limit);
  }
}
