package io.samzakv.routing;

import io.samzakv.cluster.PartitionTable;
import io.samzakv.cluster.PartitionTables;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.ScanRange;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.samzakv.store.LocalStore;
import io.vertx.core.Future;
import java.util.stream.IntStream;

/**
 * Sends each request to its partition's primary as the partition table names it. This node serves
 * the partitions it is primary for from its {@link LocalStore}; a partition whose primary is
 * elsewhere, or that has none yet, is answered 503 so the client retries.
 *
 * <p>Thread contract: called on event loops; never blocks.
 */
public final class KvRouter implements KvService {
  private final PartitionTables directory;
  private final LocalStore store;
  private final String localNodeId;
  private final Partitioner partitioner;
  private final int[] allPartitions;
  private final int maxValueBytes;

  public KvRouter(
      PartitionTables directory,
      LocalStore store,
      String localNodeId,
      int partitions,
      int maxValueBytes) {
    this.directory = directory;
    this.store = store;
    this.localNodeId = localNodeId;
    this.partitioner = new Partitioner(partitions);
    this.allPartitions = IntStream.range(0, partitions).toArray();
    this.maxValueBytes = maxValueBytes;
  }

  @Override
  public Future<VersionedValue> get(Key key) {
    int partition = partitioner.partitionOf(key);
    KvException refusal = refusal(partition);
    return refusal != null ? Future.failedFuture(refusal) : store.get(partition, key);
  }

  @Override
  public Future<WriteResult> put(Key key, byte[] value, Precondition precondition) {
    if (value.length > maxValueBytes) {
      return Future.failedFuture(
          KvException.tooLarge(
              "value is " + value.length + " bytes; at most " + maxValueBytes + " are allowed"));
    }
    int partition = partitioner.partitionOf(key);
    KvException refusal = refusal(partition);
    return refusal != null
        ? Future.failedFuture(refusal)
        : store.put(partition, key, value, precondition);
  }

  @Override
  public Future<Void> delete(Key key, Precondition precondition) {
    int partition = partitioner.partitionOf(key);
    KvException refusal = refusal(partition);
    return refusal != null
        ? Future.failedFuture(refusal)
        : store.delete(partition, key, precondition);
  }

  @Override
  public Future<ScanPage> scan(ScanRange range, int limit) {
    for (int partition : allPartitions) {
      KvException refusal = refusal(partition);
      if (refusal != null) {
        return Future.failedFuture(refusal);
      }
    }
    return store.scan(allPartitions, range, limit);
  }

  /** Why this node cannot serve {@code partition} now, or null when it can. */
  private KvException refusal(int partition) {
    PartitionTable table = directory.current();
    if (table == null) {
      return KvException.unavailable("no partition table yet");
    }
    String primary = table.primaryOf(partition);
    if (!localNodeId.equals(primary)) {
      return KvException.unavailable(
          "partition " + partition + " is served by " + primary + ", not this node");
    }
    return null;
  }
}
