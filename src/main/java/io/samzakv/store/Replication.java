package io.samzakv.store;

import io.samzakv.oplog.LogRecord;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Ships what the primary logs to the partitions' replicas. The write path calls {@link #ship} with
 * every batch of records it logged as primary, once they are durable here (a record shipped before
 * its local write could not be taken back if that write failed, and a replica would then hold a
 * record the primary reuses the sequence of), and acknowledges the writes only once the returned
 * future completes. The sequencer does not wait for it: the next batch is logged meanwhile.
 */
public interface Replication {
  /** A node without replicas: nothing to ship, every write may be acknowledged once durable. */
  Replication NONE = records -> CompletableFuture.completedFuture(Set.of());

  /**
   * Sends {@code records} (in log order) to the replicas of their partitions. Called on the write
   * path's sequencer thread, batch after batch in log order: it must not block. The future
   * completes once every in-sync replica of each partition has made its records durable, or has
   * been taken out of the in-sync set by a table change; its value names the partitions whose
   * records must not be acknowledged because this node is no longer their primary.
   */
  CompletableFuture<Set<Integer>> ship(List<LogRecord> records);
}
